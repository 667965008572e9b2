// NeuralSort's column sums c_j = sum_k |s_j - s_k| and their backward
//   gradient[j] += sum_k (sum_gradient[j] + sum_gradient[k]) sign(s_j - s_k),
// both O(n^2), one output element per outer iteration.

#include "CSimd.h"

#if defined(__x86_64__)
#include "avx2_helpers.h"

__attribute__((target("avx2,fma")))
void csimd_f32_neuralsort_colsums__avx2_u16(const csimd_f32_neuralsort_colsums_params* params) {
    const float* scores = params->scores;
    float* sums = params->sums;
    const size_t n = params->count;
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    for (size_t j = 0; j < n; j++) {
        const __m256 sj = _mm256_set1_ps(scores[j]);
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        size_t k = 0;
        for (; k + 16 <= n; k += 16) {
            acc0 = _mm256_add_ps(acc0, _mm256_and_ps(_mm256_sub_ps(sj, _mm256_loadu_ps(scores + k)), abs_mask));
            acc1 = _mm256_add_ps(acc1, _mm256_and_ps(_mm256_sub_ps(sj, _mm256_loadu_ps(scores + k + 8)), abs_mask));
        }
        for (; k + 8 <= n; k += 8) {
            acc0 = _mm256_add_ps(acc0, _mm256_and_ps(_mm256_sub_ps(sj, _mm256_loadu_ps(scores + k)), abs_mask));
        }
        if (k < n) {
            const __m256i mask = csimd_tail_mask(n - k);
            const __m256 d = _mm256_and_ps(_mm256_sub_ps(sj, _mm256_maskload_ps(scores + k, mask)), abs_mask);
            acc1 = _mm256_add_ps(acc1, _mm256_and_ps(d, _mm256_castsi256_ps(mask)));
        }
        sums[j] = csimd_hsum(_mm256_add_ps(acc0, acc1));
    }
}

__attribute__((target("avx2,fma")))
void csimd_f32_neuralsort_colsums_bwd__avx2_u8(const csimd_f32_neuralsort_colsums_bwd_params* params) {
    const float* scores = params->scores;
    const float* sum_gradient = params->sum_gradient;
    float* gradient = params->gradient;
    const size_t n = params->count;
    const __m256 sign_bit = _mm256_castsi256_ps(_mm256_set1_epi32((int32_t)0x80000000u));
    const __m256 zero = _mm256_setzero_ps();
    for (size_t j = 0; j < n; j++) {
        const __m256 sj = _mm256_set1_ps(scores[j]), gj = _mm256_set1_ps(sum_gradient[j]);
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        size_t k = 0;
        for (; k + 8 <= n; k += 8) {
            // sign(s_j - s_k) (g_j + g_k), sign(0) = 0.
            const __m256 x = _mm256_sub_ps(sj, _mm256_loadu_ps(scores + k));
            const __m256 t = _mm256_add_ps(gj, _mm256_loadu_ps(sum_gradient + k));
            acc0 = _mm256_add_ps(acc0, _mm256_and_ps(_mm256_xor_ps(t, _mm256_and_ps(x, sign_bit)), _mm256_cmp_ps(x, zero, _CMP_NEQ_OQ)));
        }
        if (k < n) {
            const __m256i mask = csimd_tail_mask(n - k);
            const __m256 x = _mm256_sub_ps(sj, _mm256_maskload_ps(scores + k, mask));
            const __m256 t = _mm256_and_ps(_mm256_add_ps(gj, _mm256_maskload_ps(sum_gradient + k, mask)), _mm256_castsi256_ps(mask));
            acc1 = _mm256_add_ps(acc1, _mm256_and_ps(_mm256_xor_ps(t, _mm256_and_ps(x, sign_bit)), _mm256_cmp_ps(x, zero, _CMP_NEQ_OQ)));
        }
        gradient[j] += csimd_hsum(_mm256_add_ps(acc0, acc1));
    }
}

#endif
