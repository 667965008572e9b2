// The fast Gauss transform's direct sums for one target over a run of
// sources (GaussLanes.direct): value = sum_j q_j exp(-d_j^2) and moment =
// sum_j q_j exp(-d_j^2) d_j, d_j = y - v_j, entries with d_j^2 > r2 left
// out; eight sources per step in two Double vectors, the last one to seven
// as two masked vectors.

#include "CSimd.h"

#if defined(__x86_64__)
#include "gauss_avx2.h"

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
