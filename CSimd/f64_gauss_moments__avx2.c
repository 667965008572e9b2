// The fast Gauss transform's source moments of one cell (GaussLanes.moments):
// A_m = sum_j q_j (c - v_j)^m / m!. The terms t_m = q (c - v)^m / m! run in
// two chains, even and odd m, each step t_(m+2) = t_m (c - v)^2 / ((m + 1)
// (m + 2)), so the multiply latency of a cell of a few points is half the
// order; eight points per step in two Double vectors, the last one to seven
// as two masked vectors, lanes added as (0 + 1) + (2 + 3) at the end.

#include "CSimd.h"

#if defined(__x86_64__)
#include "gauss_avx2.h"

__attribute__((target("avx2,fma")))
void csimd_f64_gauss_moments__avx2_u8(
    const double* points, const double* weights, size_t count, double centre, size_t order,
    const double* reciprocal, double* lanes, double* moments) {
    const __m256d c = _mm256_set1_pd(centre), one = _mm256_set1_pd(1.0);
    for (size_t m = 0; m < order; m++) _mm256_storeu_pd(lanes + 4 * m, _mm256_setzero_pd());
    size_t j = 0;
    while (j < count) {
        __m256d b0, b1, e0, e1;
        if (j + 8 <= count) {
            b0 = _mm256_sub_pd(c, _mm256_loadu_pd(points + j));
            b1 = _mm256_sub_pd(c, _mm256_loadu_pd(points + j + 4));
            e0 = weights ? _mm256_loadu_pd(weights + j) : one;
            e1 = weights ? _mm256_loadu_pd(weights + j + 4) : one;
        } else {
            // Missing lanes: weight 0 and offset 0, so every term is +0.
            const __m256i m0 = csimd_tail_mask_pd(count - j);
            const __m256i m1 = csimd_tail_mask_pd(count - j > 4 ? count - j - 4 : 0);
            b0 = _mm256_and_pd(_mm256_sub_pd(c, _mm256_maskload_pd(points + j, m0)), _mm256_castsi256_pd(m0));
            b1 = _mm256_and_pd(_mm256_sub_pd(c, _mm256_maskload_pd(points + j + 4, m1)), _mm256_castsi256_pd(m1));
            e0 = weights ? _mm256_maskload_pd(weights + j, m0) : _mm256_and_pd(one, _mm256_castsi256_pd(m0));
            e1 = weights ? _mm256_maskload_pd(weights + j + 4, m1) : _mm256_and_pd(one, _mm256_castsi256_pd(m1));
        }
        const __m256d bb0 = _mm256_mul_pd(b0, b0), bb1 = _mm256_mul_pd(b1, b1);
        // t_0 = q, t_1 = q b (reciprocal[1] = 1).
        __m256d o0 = _mm256_mul_pd(e0, b0), o1 = _mm256_mul_pd(e1, b1);
        for (size_t m = 0; m < order; m += 2) {
            double* lane = lanes + 4 * m;
            _mm256_storeu_pd(lane, _mm256_add_pd(_mm256_loadu_pd(lane), _mm256_add_pd(e0, e1)));
            if (m + 1 < order) {
                _mm256_storeu_pd(lane + 4, _mm256_add_pd(_mm256_loadu_pd(lane + 4), _mm256_add_pd(o0, o1)));
            }
            if (m + 2 < order) {
                const __m256d re = _mm256_set1_pd(reciprocal[m + 1] * reciprocal[m + 2]);
                e0 = _mm256_mul_pd(e0, _mm256_mul_pd(bb0, re));
                e1 = _mm256_mul_pd(e1, _mm256_mul_pd(bb1, re));
            }
            if (m + 3 < order) {
                const __m256d ro = _mm256_set1_pd(reciprocal[m + 2] * reciprocal[m + 3]);
                o0 = _mm256_mul_pd(o0, _mm256_mul_pd(bb0, ro));
                o1 = _mm256_mul_pd(o1, _mm256_mul_pd(bb1, ro));
            }
        }
        j += 8;
    }
    for (size_t m = 0; m < order; m++) moments[m] = csimd_hsum_pd(_mm256_loadu_pd(lanes + 4 * m));
}

#endif
