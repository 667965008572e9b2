// Private helpers of the CSimd AVX2 kernels: tail masks, horizontal
// reductions, a dot product, SoftSort's logit and distance derivative, an
// 8 x 8 transpose. Included only by CSimd/*_avx2.c.

#ifndef CSIMD_AVX2_HELPERS_H
#define CSIMD_AVX2_HELPERS_H

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// The lane mask selecting the first `remaining` (0 < remaining < 8) lanes.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256i csimd_tail_mask(size_t remaining) {
    static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i*)(table + 8 - remaining));
}

// The sum of the eight lanes, as a tree (the same order every time).
__attribute__((target("avx2,fma"), always_inline))
static inline float csimd_hsum(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

__attribute__((target("avx2,fma"), always_inline))
static inline float csimd_hmax(__m256 v) {
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    x = _mm_max_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

__attribute__((target("avx2,fma"), always_inline))
static inline float csimd_dot(const float* a, const float* b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 16), _mm256_loadu_ps(b + j + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 24), _mm256_loadu_ps(b + j + 24), acc3);
    }
    for (; j + 8 <= n; j += 8) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), acc0);
    }
    if (j < n) {
        const __m256i mask = csimd_tail_mask(n - j);
        acc1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + j, mask), _mm256_maskload_ps(b + j, mask), acc1);
    }
    return csimd_hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

// dst[j] = src[j] * factor (src == dst allowed when !stream); with `stream`,
// dst is written with non-temporal stores (the caller issues the sfence).
__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_scale_row(const float* src, float* dst, size_t n, float factor, bool stream) {
    const __m256 f = _mm256_set1_ps(factor);
    size_t j = 0;
    if (stream) {
        // Scalar head up to a 32-byte boundary of dst, then aligned streaming stores.
        for (; j < n && ((uintptr_t)(dst + j) & 31) != 0; j++) dst[j] = src[j] * factor;
        for (; j + 32 <= n; j += 32) {
            _mm256_stream_ps(dst + j, _mm256_mul_ps(_mm256_loadu_ps(src + j), f));
            _mm256_stream_ps(dst + j + 8, _mm256_mul_ps(_mm256_loadu_ps(src + j + 8), f));
            _mm256_stream_ps(dst + j + 16, _mm256_mul_ps(_mm256_loadu_ps(src + j + 16), f));
            _mm256_stream_ps(dst + j + 24, _mm256_mul_ps(_mm256_loadu_ps(src + j + 24), f));
        }
        for (; j + 8 <= n; j += 8) _mm256_stream_ps(dst + j, _mm256_mul_ps(_mm256_loadu_ps(src + j), f));
    } else {
        for (; j + 32 <= n; j += 32) {
            _mm256_storeu_ps(dst + j, _mm256_mul_ps(_mm256_loadu_ps(src + j), f));
            _mm256_storeu_ps(dst + j + 8, _mm256_mul_ps(_mm256_loadu_ps(src + j + 8), f));
            _mm256_storeu_ps(dst + j + 16, _mm256_mul_ps(_mm256_loadu_ps(src + j + 16), f));
            _mm256_storeu_ps(dst + j + 24, _mm256_mul_ps(_mm256_loadu_ps(src + j + 24), f));
        }
        for (; j + 8 <= n; j += 8) _mm256_storeu_ps(dst + j, _mm256_mul_ps(_mm256_loadu_ps(src + j), f));
    }
    if (j < n) {
        const __m256i mask = csimd_tail_mask(n - j);
        _mm256_maskstore_ps(dst + j, mask, _mm256_mul_ps(_mm256_maskload_ps(src + j, mask), f));
    }
}

// z = -|c - s|^p / tau for p = 1 or 2 (`neg_inv_tau` = -1 / tau).
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 csimd_softsort_logit(__m256 c, __m256 s, __m256 neg_inv_tau, int power) {
    const __m256 d = _mm256_sub_ps(c, s);
    if (power == 1) {
        const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
        return _mm256_mul_ps(_mm256_and_ps(d, abs_mask), neg_inv_tau);
    }
    return _mm256_mul_ps(_mm256_mul_ps(d, d), neg_inv_tau);
}

// u = d'(x) t / tau given scaled = t / tau (p = 1) or 2 t / tau (p = 2):
// sign(x) scaled with sign(0) = 0, or x scaled.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 csimd_softsort_dprime_times(__m256 x, __m256 scaled, int power) {
    if (power == 1) {
        const __m256 sign_bit = _mm256_castsi256_ps(_mm256_set1_epi32((int32_t)0x80000000u));
        const __m256 nonzero = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NEQ_OQ);
        return _mm256_and_ps(_mm256_xor_ps(scaled, _mm256_and_ps(x, sign_bit)), nonzero);
    }
    return _mm256_mul_ps(x, scaled);
}

// An 8 x 8 transpose in 24 shuffles: lane l of r[k] becomes lane k of r[l]
// (rows of eight floats to columns: the short-row kernels' tiles).
__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_transpose8x8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

#endif // __x86_64__
#endif // CSIMD_AVX2_HELPERS_H
