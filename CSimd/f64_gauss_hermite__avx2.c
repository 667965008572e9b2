// The fast Gauss transform's mixed cell pairs (GaussTransform.run), where
// one side is expanded and the other is summed point by point: each point
// needs the kernel derivatives g^(k)(x) = H_k(x) exp(-x^2) from the Hermite
// recurrence g^(k+1) = -2 x g^(k) - 2 k g^(k-1), a chain as long as the
// order. Four points run in the lanes of one Double vector (the last one to
// three masked), so four chains advance together.

#include "CSimd.h"

#if defined(__x86_64__)
#include "gauss_avx2.h"

__attribute__((target("avx2,fma")))
void csimd_f64_gauss_expansion_at__avx2_u4(
    const double* points, size_t count, double centre, const double* expansion, size_t order, double* sums,
    double* moments) {
    const __m256d c = _mm256_set1_pd(centre), minusTwo = _mm256_set1_pd(-2.0);
    for (size_t i = 0; i < count; i += 4) {
        const __m256i keep = csimd_tail_mask_pd(count - i);
        const __m256d x = _mm256_sub_pd(_mm256_maskload_pd(points + i, keep), c);
        const __m256d m2x = _mm256_mul_pd(minusTwo, x);
        // h = g^(n)(x), next = g^(n+1)(x).
        __m256d h = csimd_f64_expminus_avx2(_mm256_xor_pd(_mm256_mul_pd(x, x), _mm256_set1_pd(-0.0)));
        __m256d next = _mm256_mul_pd(m2x, h);
        __m256d g0 = _mm256_setzero_pd(), g1 = g0;
        for (size_t n = 0; n < order; n++) {
            const __m256d a = _mm256_broadcast_sd(expansion + n);
            g0 = _mm256_fmadd_pd(h, a, g0);
            g1 = _mm256_fmadd_pd(next, a, g1);
            const __m256d after = _mm256_fmadd_pd(m2x, next, _mm256_mul_pd(_mm256_set1_pd(-2.0 * (double)(n + 1)), h));
            h = next;
            next = after;
        }
        if (sums) _mm256_maskstore_pd(sums + i, keep, _mm256_add_pd(_mm256_maskload_pd(sums + i, keep), g0));
        const __m256d slope = _mm256_fnmadd_pd(_mm256_set1_pd(0.5), g1, _mm256_maskload_pd(moments + i, keep));
        _mm256_maskstore_pd(moments + i, keep, slope);
    }
}

__attribute__((target("avx2,fma")))
void csimd_f64_gauss_sources_to_local__avx2_u4(
    const double* points, const double* weights, size_t count, double centre, size_t order, double* lanes,
    double* local) {
    const __m256d c = _mm256_set1_pd(centre), minusTwo = _mm256_set1_pd(-2.0), one = _mm256_set1_pd(1.0);
    for (size_t m = 0; m < order; m++) _mm256_storeu_pd(lanes + 4 * m, _mm256_setzero_pd());
    for (size_t j = 0; j < count; j += 4) {
        const __m256i keep = csimd_tail_mask_pd(count - j);
        const __m256d x = _mm256_sub_pd(c, _mm256_maskload_pd(points + j, keep));
        const __m256d m2x = _mm256_mul_pd(minusTwo, x);
        // Missing lanes weigh 0: their terms are +0.
        const __m256d q = weights ? _mm256_maskload_pd(weights + j, keep) : _mm256_and_pd(one, _mm256_castsi256_pd(keep));
        __m256d h = _mm256_mul_pd(q, csimd_f64_expminus_avx2(_mm256_xor_pd(_mm256_mul_pd(x, x), _mm256_set1_pd(-0.0))));
        __m256d next = _mm256_mul_pd(m2x, h);
        for (size_t m = 0; m < order; m++) {
            double* lane = lanes + 4 * m;
            _mm256_storeu_pd(lane, _mm256_add_pd(_mm256_loadu_pd(lane), h));
            const __m256d after = _mm256_fmadd_pd(m2x, next, _mm256_mul_pd(_mm256_set1_pd(-2.0 * (double)(m + 1)), h));
            h = next;
            next = after;
        }
    }
    for (size_t m = 0; m < order; m++) local[m] += csimd_hsum_pd(_mm256_loadu_pd(lanes + 4 * m));
}

#endif
