// Private helpers of the fused SoftSort apply kernels
// (f32_softsort_apply_fwd__avx2.c, f32_softsort_apply_bwd__avx2.c).

#ifndef CSIMD_SOFTSORT_APPLY_AVX2_H
#define CSIMD_SOFTSORT_APPLY_AVX2_H

#if defined(__x86_64__)
#include <immintrin.h>
#include <stddef.h>
#include "avx2_helpers.h"
#include "exp_avx2.h"

// Rows per block: each tile of scores and values (in L1) serves this many
// rows before the next tile is loaded. It fixes no summation order (each row
// sums over tiles in the same order whatever the blocking).
#define CSIMD_APPLY_ROW_BLOCK 32

// e_j = exp(z_ij) * factor into `out` for one tile; returns sum_j e_j.
__attribute__((target("avx2,fma"), always_inline))
static inline float csimd_apply_exp_tile(
    const float* s, __m256 c, float* out, size_t w, __m256 neg_inv_tau, __m256 factor,
    const csimd_exp_consts* k, int power) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= w; j += 16) {
        const __m256 e0 = _mm256_mul_ps(csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_inv_tau, power), k), factor);
        const __m256 e1 = _mm256_mul_ps(csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 8), neg_inv_tau, power), k), factor);
        _mm256_storeu_ps(out + j, e0);
        _mm256_storeu_ps(out + j + 8, e1);
        acc0 = _mm256_add_ps(acc0, e0);
        acc1 = _mm256_add_ps(acc1, e1);
    }
    for (; j + 8 <= w; j += 8) {
        const __m256 e = _mm256_mul_ps(csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_inv_tau, power), k), factor);
        _mm256_storeu_ps(out + j, e);
        acc0 = _mm256_add_ps(acc0, e);
    }
    if (j < w) {
        const __m256i mask = csimd_tail_mask(w - j);
        __m256 e = _mm256_mul_ps(csimd_exp_avx2(csimd_softsort_logit(c, _mm256_maskload_ps(s + j, mask), neg_inv_tau, power), k), factor);
        e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
        _mm256_maskstore_ps(out + j, mask, e);
        acc1 = _mm256_add_ps(acc1, e);
    }
    return csimd_hsum(_mm256_add_ps(acc0, acc1));
}

#endif // __x86_64__
#endif // CSIMD_SOFTSORT_APPLY_AVX2_H
