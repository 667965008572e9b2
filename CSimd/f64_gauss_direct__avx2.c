// The fast Gauss transform's direct sums for one target over a run of
// sources (GaussLanes.direct): value = sum_j q_j exp(-d_j^2) and moment =
// sum_j q_j exp(-d_j^2) d_j, d_j = y - v_j, entries with d_j^2 > r2 left
// out; eight sources per step in two Double vectors, the last one to seven
// as two masked vectors.

#include "CSimd.h"

#if defined(__x86_64__)
#include "gauss_avx2.h"

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

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_f64_gauss_direct_add(
    __m256d d, __m256d q, __m256d keep, __m256d limit, __m256d* value, __m256d* moment) {
    const __m256d d2 = _mm256_mul_pd(d, d);
    const __m256d kept = _mm256_and_pd(keep, _mm256_cmp_pd(d2, limit, _CMP_LE_OQ));
    const __m256d e = _mm256_and_pd(kept, _mm256_mul_pd(csimd_f64_expminus_avx2(_mm256_xor_pd(d2, _mm256_set1_pd(-0.0))), q));
    *value = _mm256_add_pd(*value, e);
    *moment = _mm256_fmadd_pd(e, d, *moment);
}

__attribute__((target("avx2,fma")))
void csimd_f64_gauss_direct__avx2_u8(
    double target, const double* points, const double* weights, size_t count, double radius_squared,
    double* value, double* moment) {
    const __m256d y = _mm256_set1_pd(target), limit = _mm256_set1_pd(radius_squared);
    const __m256d one = _mm256_set1_pd(1.0), all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    __m256d v0 = _mm256_setzero_pd(), v1 = v0, m0 = v0, m1 = v0;
    size_t j = 0;
    for (; j + 8 <= count; j += 8) {
        const __m256d q0 = weights ? _mm256_loadu_pd(weights + j) : one;
        const __m256d q1 = weights ? _mm256_loadu_pd(weights + j + 4) : one;
        csimd_f64_gauss_direct_add(_mm256_sub_pd(y, _mm256_loadu_pd(points + j)), q0, all, limit, &v0, &m0);
        csimd_f64_gauss_direct_add(_mm256_sub_pd(y, _mm256_loadu_pd(points + j + 4)), q1, all, limit, &v1, &m1);
    }
    if (j < count) {
        const __m256i k0 = csimd_tail_mask_pd(count - j);
        const __m256i k1 = csimd_tail_mask_pd(count - j > 4 ? count - j - 4 : 0);
        const __m256d q0 = weights ? _mm256_maskload_pd(weights + j, k0) : one;
        const __m256d q1 = weights ? _mm256_maskload_pd(weights + j + 4, k1) : one;
        const __m256d d0 = _mm256_sub_pd(y, _mm256_maskload_pd(points + j, k0));
        const __m256d d1 = _mm256_sub_pd(y, _mm256_maskload_pd(points + j + 4, k1));
        csimd_f64_gauss_direct_add(d0, q0, _mm256_castsi256_pd(k0), limit, &v0, &m0);
        csimd_f64_gauss_direct_add(d1, q1, _mm256_castsi256_pd(k1), limit, &v1, &m1);
    }
    *value = csimd_hsum_pd(_mm256_add_pd(v0, v1));
    *moment = csimd_hsum_pd(_mm256_add_pd(m0, m1));
}

#endif
