// SoftSort row forward, fused: for each row i in [row_begin, row_end),
//   e_j = exp(-|c_i - s_j|^p / tau)   stored and summed in one pass over s,
//   P[i, j] = e_j / sum_j e_j          one scaling pass.
// No max pass: the centres are the sorted scores, so c_i is one of the s_j,
// the row's largest logit is exactly 0 and every exp argument is <= 0. The
// exp flushes below ln(2^-96) like the Swift SIMD kernels (exp_avx2.h).
//
// With `stream`, pass 1 writes the caller's row buffer (`scratch`, n floats;
// it stays in L1/L2) and pass 2 writes the matrix with non-temporal stores:
// a B x n x n matrix much larger than the caches is then written once,
// without reading it first. Without it both passes work in the matrix row.

#include "CSimd.h"

#if defined(__x86_64__)
#include "avx2_helpers.h"
#include "exp_avx2.h"
#include "softsort_exp_row_avx2.h"

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_softsort_fwd(
    const csimd_f32_softsort_fwd_params* params, size_t row_begin, size_t row_end, int power) {
    const float* scores = params->scores;
    const float* centres = params->centres;
    float* matrix = params->matrix;
    float* buffer = params->scratch;
    const size_t n = params->count;
    // Streaming needs the row buffer; without one, plain stores (same values).
    const bool stream = params->stream && buffer != NULL;
    if (row_begin >= row_end || n == 0) return;
    const csimd_exp_consts k = csimd_exp_consts_make(CSIMD_EXP_CUTOFF_KERNEL);
    const __m256 neg_inv_tau = _mm256_set1_ps(-(1.0f / params->temperature));
    for (size_t i = row_begin; i < row_end; i++) {
        float* row = matrix + i * n;
        float* target = stream ? buffer : row;
        const float sum = csimd_softsort_exp_row(scores, centres[i], target, n, neg_inv_tau, &k, power);
        csimd_scale_row(target, row, n, 1.0f / sum, stream);
    }
    if (stream) _mm_sfence();  // order the non-temporal stores before the caller reads P
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_fwd_p1__avx2_u32(
    const csimd_f32_softsort_fwd_params* params, size_t row_begin, size_t row_end) {
    csimd_softsort_fwd(params, row_begin, row_end, 1);
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_fwd_p2__avx2_u32(
    const csimd_f32_softsort_fwd_params* params, size_t row_begin, size_t row_end) {
    csimd_softsort_fwd(params, row_begin, row_end, 2);
}

#endif
