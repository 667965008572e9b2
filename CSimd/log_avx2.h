// The AVX2+FMA natural log of doubles at least 1, four lanes at a time: the
// short-row losses take one log per lane of the product of their rows' Z_i
// (each in [1, n], so the product is finite and at least 1). Private header;
// included only by CSimd/*_avx2.c.
//
// Method: x = m 2^e with m in [sqrt(1/2), sqrt(2)) (the exponent field read
// off, m halved and e raised when m > sqrt(2)); log m = 2 atanh(s) with
// s = (m - 1) / (m + 1), |s| <= 0.172, by its series 2 (s + s^3/3 + ... +
// s^19/19) (the next term is below 1e-17 of the sum); log x = e ln2 + log m,
// ln2 in two parts (Cody-Waite; the high part times e is exact for e < 2^11).
// Within 2 ulps of glibc's log on [1, 2^1023] (checked on 2 million
// arguments, the worst just above 1). Arguments below 1, infinities and NaN
// are outside the contract.

#ifndef CSIMD_LOG_AVX2_H
#define CSIMD_LOG_AVX2_H

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"), always_inline))
static inline __m256d csimd_log_from_one_pd_avx2(__m256d x) {
    const __m256i bits = _mm256_castpd_si256(x);
    const __m256d one = _mm256_set1_pd(1.0);
    __m256d m = _mm256_castsi256_pd(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFF)), _mm256_castpd_si256(one)));
    __m256i e = _mm256_sub_epi64(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(1023));
    const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(1.4142135623730951), _CMP_GT_OQ);
    m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
    e = _mm256_sub_epi64(e, _mm256_castpd_si256(big));   // big lanes are -1: e + 1
    // e (0 <= e <= 1024) as a double: its bits added to those of 2^52, less 2^52.
    const __m256d magic = _mm256_set1_pd(0x1p52);
    const __m256d ed = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(e, _mm256_castpd_si256(magic))), magic);
    const __m256d s = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
    const __m256d z = _mm256_mul_pd(s, s);
    __m256d p = _mm256_set1_pd(1.0 / 19);
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 17));
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 15));
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 13));
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 11));
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 9));
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 7));
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 5));
    p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(1.0 / 3));
    const __m256d twice = _mm256_add_pd(s, s);
    // e ln2_lo + 2 s z p, then 2 s, then e ln2_hi.
    const __m256d tail = _mm256_fmadd_pd(ed, _mm256_set1_pd(1.9082149292705877e-10),
                                         _mm256_mul_pd(_mm256_mul_pd(twice, z), p));
    return _mm256_fmadd_pd(ed, _mm256_set1_pd(6.93147180369123816490e-01), _mm256_add_pd(twice, tail));
}

#endif // __x86_64__
#endif // CSIMD_LOG_AVX2_H
