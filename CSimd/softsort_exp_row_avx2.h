// SoftSort's exp-store-sum row pass of the forward (f32_softsort_fwd__avx2.c).
// The fused loss (f32_softsort_loss__avx2.c) runs the same pass in base 2
// (csimd_exp2_avx2, log2(e) folded into its 1 / tau multiply).
// Private header; included only by CSimd/*_avx2.c.

#ifndef CSIMD_SOFTSORT_EXP_ROW_AVX2_H
#define CSIMD_SOFTSORT_EXP_ROW_AVX2_H

#if defined(__x86_64__)
#include "avx2_helpers.h"
#include "exp_avx2.h"

// Pass 1 over one row: out[j] = exp(z_j); returns sum_j out[j].
__attribute__((target("avx2,fma"), always_inline))
static inline float csimd_softsort_exp_row(
    const float* s, float centre, float* out, size_t n, __m256 neg_inv_tau,
    const csimd_exp_consts* k, int power) {
    const __m256 c = _mm256_set1_ps(centre);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        const __m256 e0 = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_inv_tau, power), k);
        const __m256 e1 = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 8), neg_inv_tau, power), k);
        const __m256 e2 = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 16), neg_inv_tau, power), k);
        const __m256 e3 = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 24), neg_inv_tau, power), k);
        _mm256_storeu_ps(out + j, e0);
        _mm256_storeu_ps(out + j + 8, e1);
        _mm256_storeu_ps(out + j + 16, e2);
        _mm256_storeu_ps(out + j + 24, e3);
        acc0 = _mm256_add_ps(acc0, e0);
        acc1 = _mm256_add_ps(acc1, e1);
        acc2 = _mm256_add_ps(acc2, e2);
        acc3 = _mm256_add_ps(acc3, e3);
    }
    for (; j + 8 <= n; j += 8) {
        const __m256 e = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_inv_tau, power), k);
        _mm256_storeu_ps(out + j, e);
        acc0 = _mm256_add_ps(acc0, e);
    }
    if (j < n) {
        const __m256i mask = csimd_tail_mask(n - j);
        __m256 e = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_maskload_ps(s + j, mask), neg_inv_tau, power), k);
        e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
        _mm256_maskstore_ps(out + j, mask, e);
        acc1 = _mm256_add_ps(acc1, e);
    }
    return csimd_hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

#endif // __x86_64__
#endif // CSIMD_SOFTSORT_EXP_ROW_AVX2_H
