// Private helpers of the CSimd fast-Gauss-transform kernels (Double lanes).
// Included only by CSimd/f64_gauss_*__avx2.c.

#ifndef CSIMD_GAUSS_AVX2_H
#define CSIMD_GAUSS_AVX2_H

#if defined(__x86_64__)
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

// The 64-bit lane mask selecting the first `remaining` (0 <= remaining, 4
// or more: all) of four lanes.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256i csimd_tail_mask_pd(size_t remaining) {
    static const int64_t table[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
    const size_t k = remaining < 4 ? remaining : 4;
    return _mm256_loadu_si256((const __m256i*)(table + 4 - k));
}

// (lane 0 + lane 1) + (lane 2 + lane 3): the order GaussLanes adds its lanes in.
__attribute__((target("avx2,fma"), always_inline))
static inline double csimd_hsum_pd(__m256d v) {
    const __m128d low = _mm256_castpd256_pd128(v), high = _mm256_extractf128_pd(v, 1);
    const __m128d pairs = _mm_hadd_pd(low, high);
    return _mm_cvtsd_f64(_mm_add_sd(pairs, _mm_unpackhi_pd(pairs, pairs)));
}

// exp(x) for x <= 0, the same steps as Double.expNonPositive (Swift): flush
// to +0 below ln(2^-960), Cody-Waite reduction by fdlibm's ln2 split, degree-13
// Taylor polynomial on |r| <= ln2 / 2 (truncation below half an ulp).
__attribute__((target("avx2,fma"), always_inline))
static inline __m256d csimd_f64_expminus_avx2(__m256d x) {
    const __m256d cutoff = _mm256_set1_pd(-0x1.4cb5ecf0a9650p+9);  // ln(2^-960)
    const __m256d below = _mm256_cmp_pd(x, cutoff, _CMP_LT_OQ);
    const __m256d xc = _mm256_blendv_pd(x, cutoff, below);
    const __m256d magic = _mm256_set1_pd(0x1.8p52);  // 1.5 * 2^52: rounds to an integer
    const __m256d t = _mm256_fmadd_pd(xc, _mm256_set1_pd(0x1.71547652b82fep+0), magic);  // log2(e)
    const __m256d k = _mm256_sub_pd(t, magic);
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(0x1.62e42fee00000p-1), xc);  // ln2 high (32 zero bits)
    r = _mm256_fnmadd_pd(k, _mm256_set1_pd(0x1.a39ef35793c76p-33), r);         // ln2 low
    __m256d p = _mm256_set1_pd(1.0 / 6227020800.0);                              // 1/13!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 479001600.0));               // 1/12!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 39916800.0));                // 1/11!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 3628800.0));                 // 1/10!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 362880.0));                  // 1/9!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 40320.0));                   // 1/8!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 5040.0));                    // 1/7!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 720.0));                     // 1/6!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 120.0));                     // 1/5!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 24.0));                      // 1/4!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 6.0));                       // 1/3!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.5));                             // 1/2!
    const __m256d y = _mm256_add_pd(_mm256_fmadd_pd(p, _mm256_mul_pd(r, r), r), _mm256_set1_pd(1.0));
    // 2^k from the low bits of t (k + 1023 in the exponent field).
    const __m256i kInt = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(0x4338000000000000LL));
    const __m256d scale = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(kInt, _mm256_set1_epi64x(1023)), 52));
    return _mm256_andnot_pd(below, _mm256_mul_pd(y, scale));
}

#endif
#endif
