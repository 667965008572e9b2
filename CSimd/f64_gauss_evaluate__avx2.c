// The fast Gauss transform's evaluation of one cell's local polynomial at
// its points (GaussLanes.evaluate): value = sum_m L_m a^m and slope = -1/2
// d/da of it, a = v_i - centre. Both polynomials split into even and odd
// coefficients, P(a) = E(a^2) + a O(a^2), so each point runs four Horner
// chains of half the order in FMA instead of two of the full order (the
// chains' latency, not the FMA count, bounds a cell of a few points); eight
// points per step in two Double vectors, the last one to seven as two
// masked vectors.

#include "CSimd.h"

#if defined(__x86_64__)
#include "gauss_avx2.h"

// Up to GaussPlan.maximumOrder (40) coefficients: 20 per half.
#define CSIMD_GAUSS_HALF_TERMS 20

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_f64_gauss_evaluate_halves(
    const double* even, const double* odd, const double* slopeEven, const double* slopeOdd, size_t terms,
    __m256d x, __m256d* value, __m256d* slope) {
    const __m256d y = _mm256_mul_pd(x, x);
    __m256d e = _mm256_setzero_pd(), o = e, se = e, so = e;
    for (size_t k = terms; k-- > 0;) {
        e = _mm256_fmadd_pd(e, y, _mm256_broadcast_sd(even + k));
        o = _mm256_fmadd_pd(o, y, _mm256_broadcast_sd(odd + k));
        se = _mm256_fmadd_pd(se, y, _mm256_broadcast_sd(slopeEven + k));
        so = _mm256_fmadd_pd(so, y, _mm256_broadcast_sd(slopeOdd + k));
    }
    *value = _mm256_fmadd_pd(o, x, e);
    *slope = _mm256_fmadd_pd(so, x, se);
}

__attribute__((target("avx2,fma")))
void csimd_f64_gauss_evaluate__avx2_u8(
    const double* local, size_t order, const double* points, size_t count, double centre, double* sums,
    double* moments) {
    // value: L_m; slope: -1/2 (m + 1) L_(m + 1). Halves zero-padded at the
    // top to `terms` (leading zeros leave Horner's result exact).
    double even[CSIMD_GAUSS_HALF_TERMS], odd[CSIMD_GAUSS_HALF_TERMS];
    double slopeEven[CSIMD_GAUSS_HALF_TERMS], slopeOdd[CSIMD_GAUSS_HALF_TERMS];
    const size_t terms = (order + 1) / 2;
    for (size_t k = 0; k < terms; k++) {
        const size_t m = 2 * k;
        even[k] = local[m];
        odd[k] = m + 1 < order ? local[m + 1] : 0.0;
        slopeEven[k] = m + 1 < order ? -0.5 * (double)(m + 1) * local[m + 1] : 0.0;
        slopeOdd[k] = m + 2 < order ? -0.5 * (double)(m + 2) * local[m + 2] : 0.0;
    }
    const __m256d c = _mm256_set1_pd(centre);
    size_t i = 0;
    while (i < count) {
        const int full = i + 8 <= count;
        const __m256i m0 = full ? _mm256_set1_epi64x(-1) : csimd_tail_mask_pd(count - i);
        const __m256i m1 = full ? _mm256_set1_epi64x(-1) : csimd_tail_mask_pd(count - i > 4 ? count - i - 4 : 0);
        const __m256d x0 = _mm256_sub_pd(_mm256_maskload_pd(points + i, m0), c);
        const __m256d x1 = _mm256_sub_pd(_mm256_maskload_pd(points + i + 4, m1), c);
        __m256d v0, v1, s0, s1;
        csimd_f64_gauss_evaluate_halves(even, odd, slopeEven, slopeOdd, terms, x0, &v0, &s0);
        csimd_f64_gauss_evaluate_halves(even, odd, slopeEven, slopeOdd, terms, x1, &v1, &s1);
        if (full) {
            if (sums) {
                _mm256_storeu_pd(sums + i, v0);
                _mm256_storeu_pd(sums + i + 4, v1);
            }
            _mm256_storeu_pd(moments + i, s0);
            _mm256_storeu_pd(moments + i + 4, s1);
        } else {
            if (sums) {
                _mm256_maskstore_pd(sums + i, m0, v0);
                _mm256_maskstore_pd(sums + i + 4, m1, v1);
            }
            _mm256_maskstore_pd(moments + i, m0, s0);
            _mm256_maskstore_pd(moments + i + 4, m1, s1);
        }
        i += 8;
    }
}

#endif
