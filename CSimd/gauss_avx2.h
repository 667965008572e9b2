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

#endif
#endif
