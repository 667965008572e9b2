// The fast Gauss transform's translation of one expanded source cell's
// moments into an expanded target cell's local polynomial (the `both
// expanded` case of GaussTransform.run): local[m] += sum_{n < order - m}
// g[m + n] a[n]. The local coefficients stay in registers, four m per
// vector, n outer: each n adds a[n] times g[n ..< n + 4 B] (B vectors; g is
// zero past `order`, so the terms with m + n >= order add exactly zero and
// need no mask), skipping the vectors whose m are all past order - n. Up to
// 16 coefficients the even and odd n run in two accumulator sets so the FMA
// latency is not one chain; past that the B accumulators are enough.

#include "CSimd.h"

#if defined(__x86_64__)
#include "gauss_avx2.h"

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_f64_gauss_translate_paired(
    double* local, const double* g, const double* a, size_t order, const size_t blocks) {
    __m256d even[4], odd[4];
    for (size_t b = 0; b < blocks; b++) {
        even[b] = _mm256_loadu_pd(local + 4 * b);
        odd[b] = _mm256_setzero_pd();
    }
    size_t n = 0;
    for (; n + 2 <= order; n += 2) {
        const __m256d a0 = _mm256_broadcast_sd(a + n), a1 = _mm256_broadcast_sd(a + n + 1);
        for (size_t b = 0; b < blocks; b++) {
            if (4 * b + n >= order) break;
            even[b] = _mm256_fmadd_pd(_mm256_loadu_pd(g + n + 4 * b), a0, even[b]);
            odd[b] = _mm256_fmadd_pd(_mm256_loadu_pd(g + n + 1 + 4 * b), a1, odd[b]);
        }
    }
    if (n < order) {
        const __m256d a0 = _mm256_broadcast_sd(a + n);
        for (size_t b = 0; b < blocks; b++) {
            if (4 * b + n >= order) break;
            even[b] = _mm256_fmadd_pd(_mm256_loadu_pd(g + n + 4 * b), a0, even[b]);
        }
    }
    for (size_t b = 0; b < blocks; b++) _mm256_storeu_pd(local + 4 * b, _mm256_add_pd(even[b], odd[b]));
}

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_f64_gauss_translate_single(
    double* local, const double* g, const double* a, size_t order, const size_t blocks) {
    __m256d acc[10];
    for (size_t b = 0; b < blocks; b++) acc[b] = _mm256_loadu_pd(local + 4 * b);
    for (size_t n = 0; n < order; n++) {
        const __m256d an = _mm256_broadcast_sd(a + n);
        for (size_t b = 0; b < blocks; b++) {
            if (4 * b + n >= order) break;
            acc[b] = _mm256_fmadd_pd(_mm256_loadu_pd(g + n + 4 * b), an, acc[b]);
        }
    }
    for (size_t b = 0; b < blocks; b++) _mm256_storeu_pd(local + 4 * b, acc[b]);
}

__attribute__((target("avx2,fma")))
void csimd_f64_gauss_translate__avx2_u4(double* local, const double* g, const double* a, size_t order) {
    switch ((order + 3) / 4) {
    case 0: return;
    case 1: csimd_f64_gauss_translate_paired(local, g, a, order, 1); return;
    case 2: csimd_f64_gauss_translate_paired(local, g, a, order, 2); return;
    case 3: csimd_f64_gauss_translate_paired(local, g, a, order, 3); return;
    case 4: csimd_f64_gauss_translate_paired(local, g, a, order, 4); return;
    case 5: csimd_f64_gauss_translate_single(local, g, a, order, 5); return;
    case 6: csimd_f64_gauss_translate_single(local, g, a, order, 6); return;
    case 7: csimd_f64_gauss_translate_single(local, g, a, order, 7); return;
    case 8: csimd_f64_gauss_translate_single(local, g, a, order, 8); return;
    case 9: csimd_f64_gauss_translate_single(local, g, a, order, 9); return;
    default: csimd_f64_gauss_translate_single(local, g, a, order, 10); return;
    }
}

#endif
