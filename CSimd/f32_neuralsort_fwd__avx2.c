// NeuralSort (Grover et al. 2019) rows, the O(n^2) association:
//   c_j     = sum_k |s_j - s_k|                         (column sums)
//   z_ij    = (a_i s_j - c_j) / tau,  a_i = sign (n - 1 - 2 i)
//   P[i, j] = softmax_j(z_ij)
// Forward: its logits are unbounded, so each row takes a max pass; the
// logits are recomputed in the exp pass rather than stored and reloaded. The
// exp flushes below ln(2^-96) like the Swift SIMD kernels (exp_avx2.h).
// With `stream`, the exp pass writes the caller's row buffer (`scratch`, n
// floats) and the scaling pass streams the matrix row out with non-temporal
// stores, as in f32_softsort_fwd__avx2.c.

#include "CSimd.h"

#if defined(__x86_64__)
#include "avx2_helpers.h"
#include "exp_avx2.h"

// (a s - c) / tau, with a s - c in one FMA (the two terms may cancel).
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 csimd_neuralsort_logit(__m256 a, __m256 s, __m256 c, __m256 inv_tau) {
    return _mm256_mul_ps(_mm256_fmsub_ps(a, s, c), inv_tau);
}

__attribute__((target("avx2,fma")))
void csimd_f32_neuralsort_fwd__avx2_u16(
    const csimd_f32_neuralsort_fwd_params* params, size_t row_begin, size_t row_end) {
    const float* scores = params->scores;
    const float* column_sums = params->column_sums;
    float* matrix = params->matrix;
    float* buffer = params->scratch;
    const size_t n = params->count;
    const float sign = params->sign;
    // Streaming needs the row buffer; without one, plain stores (same values).
    const bool stream = params->stream && buffer != NULL;
    if (row_begin >= row_end || n == 0) return;
    const csimd_exp_consts k = csimd_exp_consts_make(CSIMD_EXP_CUTOFF_KERNEL);
    const __m256 inv_tau = _mm256_set1_ps(1.0f / params->temperature);
    const __m256 minus_inf = _mm256_set1_ps(-__builtin_inff());
    for (size_t i = row_begin; i < row_end; i++) {
        float* row = matrix + i * n;
        float* target = stream ? buffer : row;
        const __m256 a = _mm256_set1_ps(sign * (float)((ptrdiff_t)n - 1 - 2 * (ptrdiff_t)i));
        // Pass 1: the row maximum.
        __m256 max0 = minus_inf, max1 = minus_inf;
        size_t j = 0;
        for (; j + 16 <= n; j += 16) {
            max0 = _mm256_max_ps(max0, csimd_neuralsort_logit(a, _mm256_loadu_ps(scores + j), _mm256_loadu_ps(column_sums + j), inv_tau));
            max1 = _mm256_max_ps(max1, csimd_neuralsort_logit(a, _mm256_loadu_ps(scores + j + 8), _mm256_loadu_ps(column_sums + j + 8), inv_tau));
        }
        for (; j + 8 <= n; j += 8) {
            max0 = _mm256_max_ps(max0, csimd_neuralsort_logit(a, _mm256_loadu_ps(scores + j), _mm256_loadu_ps(column_sums + j), inv_tau));
        }
        if (j < n) {
            const __m256i mask = csimd_tail_mask(n - j);
            const __m256 z = csimd_neuralsort_logit(a, _mm256_maskload_ps(scores + j, mask), _mm256_maskload_ps(column_sums + j, mask), inv_tau);
            max1 = _mm256_max_ps(max1, _mm256_blendv_ps(minus_inf, z, _mm256_castsi256_ps(mask)));
        }
        const __m256 largest = _mm256_set1_ps(csimd_hmax(_mm256_max_ps(max0, max1)));
        // Pass 2: exp(z - max), stored and summed.
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        j = 0;
        for (; j + 16 <= n; j += 16) {
            const __m256 e0 = csimd_exp_avx2(_mm256_sub_ps(csimd_neuralsort_logit(a, _mm256_loadu_ps(scores + j), _mm256_loadu_ps(column_sums + j), inv_tau), largest), &k);
            const __m256 e1 = csimd_exp_avx2(_mm256_sub_ps(csimd_neuralsort_logit(a, _mm256_loadu_ps(scores + j + 8), _mm256_loadu_ps(column_sums + j + 8), inv_tau), largest), &k);
            _mm256_storeu_ps(target + j, e0);
            _mm256_storeu_ps(target + j + 8, e1);
            acc0 = _mm256_add_ps(acc0, e0);
            acc1 = _mm256_add_ps(acc1, e1);
        }
        for (; j + 8 <= n; j += 8) {
            const __m256 e = csimd_exp_avx2(_mm256_sub_ps(csimd_neuralsort_logit(a, _mm256_loadu_ps(scores + j), _mm256_loadu_ps(column_sums + j), inv_tau), largest), &k);
            _mm256_storeu_ps(target + j, e);
            acc0 = _mm256_add_ps(acc0, e);
        }
        if (j < n) {
            const __m256i mask = csimd_tail_mask(n - j);
            __m256 e = csimd_exp_avx2(_mm256_sub_ps(csimd_neuralsort_logit(a, _mm256_maskload_ps(scores + j, mask), _mm256_maskload_ps(column_sums + j, mask), inv_tau), largest), &k);
            e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
            _mm256_maskstore_ps(target + j, mask, e);
            acc1 = _mm256_add_ps(acc1, e);
        }
        // Pass 3: normalize.
        csimd_scale_row(target, row, n, 1.0f / csimd_hsum(_mm256_add_ps(acc0, acc1)), stream);
    }
    if (stream) _mm_sfence();  // order the non-temporal stores before the caller reads P
}

#endif
