// The standalone exp for non-positive arguments, within 2 ULP of the
// correctly rounded exp on [-87.3, 0] (perf/exp-ulp-sweep.sh checks every
// float there). Also the roofline of `simd-bench kernels`: the exp-and-store
// throughput of a minimal AVX2 loop.

#include "CSimd.h"

#if defined(__x86_64__)
#include "avx2_helpers.h"
#include "exp_avx2.h"

__attribute__((target("avx2,fma")))
void csimd_f32_expminus_u2__avx2_u32(const float* x, float* y, size_t count) {
    const csimd_exp_consts k = csimd_exp_consts_make(CSIMD_EXP_CUTOFF_NORMAL);
    size_t j = 0;
    for (; j + 32 <= count; j += 32) {
        const __m256 e0 = csimd_exp_avx2(_mm256_loadu_ps(x + j), &k);
        const __m256 e1 = csimd_exp_avx2(_mm256_loadu_ps(x + j + 8), &k);
        const __m256 e2 = csimd_exp_avx2(_mm256_loadu_ps(x + j + 16), &k);
        const __m256 e3 = csimd_exp_avx2(_mm256_loadu_ps(x + j + 24), &k);
        _mm256_storeu_ps(y + j, e0);
        _mm256_storeu_ps(y + j + 8, e1);
        _mm256_storeu_ps(y + j + 16, e2);
        _mm256_storeu_ps(y + j + 24, e3);
    }
    for (; j + 8 <= count; j += 8) {
        _mm256_storeu_ps(y + j, csimd_exp_avx2(_mm256_loadu_ps(x + j), &k));
    }
    if (j < count) {
        const __m256i mask = csimd_tail_mask(count - j);
        const __m256 e = csimd_exp_avx2(_mm256_maskload_ps(x + j, mask), &k);
        _mm256_maskstore_ps(y + j, mask, e);
    }
}

#endif
