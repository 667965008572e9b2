// The AVX2+FMA exp shared by every CSimd kernel: exp(x) for x <= 0, eight
// lanes at a time. Private header; included only by CSimd/*_avx2.c.
//
// Method (the shape of XNNPACK's f32 "rr2_p5" exp, with Cephes' polynomial):
//   k = round(x / ln2) with the magic-bias trick, whose low mantissa bits also
//       hold k + 127, the exponent field of 2^k;
//   r = x - k ln2, with ln2 split in two (Cody-Waite) and FMA, |r| <= ln2 / 2;
//   exp(r) - 1 = r + r^2 q(r), q Cephes expf's degree-5 minimax polynomial;
//   exp(x) = 2^k + 2^k (exp(r) - 1), one FMA, so 1 + (exp(r) - 1) is never
//       rounded on its own.
// Arguments below `cutoff` give exactly +0 (so does -infinity); NaN gives NaN.
// Positive arguments are outside the contract.

#ifndef CSIMD_EXP_AVX2_H
#define CSIMD_EXP_AVX2_H

#if defined(__x86_64__)
#include <immintrin.h>

// ln(2^-126) rounded up to float: the smallest argument whose exp is a normal
// float. The standalone `csimd_f32_expminus_u2__avx2_u32` flushes below it.
#define CSIMD_EXP_CUTOFF_NORMAL (-0x1.5D589Ep+6f)   // -87.33654
// ln(2^-96) rounded to float: the SoftSort/NeuralSort kernels flush below it,
// as the Swift SIMD kernels do (VectorScalar.swift): after normalizing by a
// row sum of at most 2^30 terms every kept entry is still a normal number, so
// no subnormal number (up to 100x slower on x86) reaches a kernel.
#define CSIMD_EXP_CUTOFF_KERNEL (-0x1.0A2B24p+6f)   // -66.54213

// The constants of `csimd_exp_avx2`, broadcast once per kernel call.
typedef struct {
    __m256 log2e, magic, minus_ln2_hi, minus_ln2_lo;
    __m256 c5, c4, c3, c2, c1, c0;
    __m256 cutoff;
} csimd_exp_consts;

__attribute__((target("avx2,fma"), always_inline))
static inline csimd_exp_consts csimd_exp_consts_make(float cutoff) {
    csimd_exp_consts k;
    k.log2e = _mm256_set1_ps(0x1.715476p+0f);          // log2(e), rounded
    // 1.5 * 2^23 + 127: adding it rounds x log2(e) to an integer k and leaves
    // k + 127 in the low mantissa bits (XNNPACK's magic bias).
    k.magic = _mm256_set1_ps(0x1.8000FEp+23f);
    // -ln2 ~ minus_ln2_hi + minus_ln2_lo (XNNPACK's rr2 split, for FMA):
    // hi is -ln2 rounded to float, lo is -ln2 - hi rounded to float, so the
    // pair holds ln2 to a relative 2^-52.8. Each FMA forms k * hi + x (or k * lo + r)
    // exactly and rounds once; no trailing zero bits in hi are needed.
    k.minus_ln2_hi = _mm256_set1_ps(-0x1.62E430p-1f);
    k.minus_ln2_lo = _mm256_set1_ps(0x1.05C610p-29f);
    // Cephes expf: (exp(r) - 1 - r) / r^2 ~ c5 r^5 + ... + c0 on |r| <= ln2/2.
    k.c5 = _mm256_set1_ps(0x1.A0D2CEp-13f);   // 1.9875691500e-4
    k.c4 = _mm256_set1_ps(0x1.6E879Cp-10f);   // 1.3981999507e-3
    k.c3 = _mm256_set1_ps(0x1.111210p-7f);    // 8.3334519073e-3
    k.c2 = _mm256_set1_ps(0x1.555382p-5f);    // 4.1665795894e-2
    k.c1 = _mm256_set1_ps(0x1.555554p-3f);    // 1.6666665459e-1
    k.c0 = _mm256_set1_ps(0x1.000000p-1f);    // 5.0000001201e-1, rounds to 1/2
    k.cutoff = _mm256_set1_ps(cutoff);
    return k;
}

// exp(x) lane by lane for x <= 0; lanes below k->cutoff give +0.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 csimd_exp_avx2(__m256 x, const csimd_exp_consts* k) {
    __m256 n = _mm256_fmadd_ps(x, k->log2e, k->magic);
    // 2^k from the exponent field k + 127 held in n's low bits.
    const __m256 s = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(n), 23));
    n = _mm256_sub_ps(n, k->magic);
    __m256 r = _mm256_fmadd_ps(n, k->minus_ln2_hi, x);
    r = _mm256_fmadd_ps(n, k->minus_ln2_lo, r);
    __m256 p = _mm256_fmadd_ps(k->c5, r, k->c4);
    p = _mm256_fmadd_ps(p, r, k->c3);
    p = _mm256_fmadd_ps(p, r, k->c2);
    p = _mm256_fmadd_ps(p, r, k->c1);
    p = _mm256_fmadd_ps(p, r, k->c0);
    const __m256 r2 = _mm256_mul_ps(r, r);
    const __m256 q = _mm256_fmadd_ps(p, r2, r);      // exp(r) - 1
    const __m256 f = _mm256_fmadd_ps(q, s, s);       // 2^k exp(r)
    // Ordered compare: NaN lanes are kept (NaN in, NaN out).
    return _mm256_andnot_ps(_mm256_cmp_ps(x, k->cutoff, _CMP_LT_OQ), f);
}

// The base-2 form of the same method, for kernels that fold log2(e) into
// the scale they already multiply by (the fused losses: z log2(e) costs no
// extra operation there): 2^y for y <= 0, eight lanes at a time.
//   k = round(y) with the magic-bias trick (its low mantissa bits hold k + 127);
//   r = y - k, exact (|y| < 2^22), |r| <= 1/2;
//   2^r - 1 = r p(r), p Cephes exp2f's degree-5 polynomial (relative error
//       of 2^r below 1.6e-8 on |r| <= 1/2, under a third of an ULP);
//   2^y = 2^k + 2^k (2^r - 1), one FMA.
// Seven multiply-class operations against csimd_exp_avx2's eleven: no
// Cody-Waite split is needed, since y - k is exact. Arguments below `cutoff`
// (in log2 units) give exactly +0 (so does -infinity); NaN gives NaN.
#define CSIMD_EXP2_CUTOFF_KERNEL (-96.0f)   // 2^-96, as CSIMD_EXP_CUTOFF_KERNEL

typedef struct {
    __m256 magic, c5, c4, c3, c2, c1, c0, cutoff;
} csimd_exp2_consts;

__attribute__((target("avx2,fma"), always_inline))
static inline csimd_exp2_consts csimd_exp2_consts_make(float cutoff) {
    csimd_exp2_consts k;
    k.magic = _mm256_set1_ps(0x1.8000FEp+23f);   // 1.5 * 2^23 + 127, as csimd_exp_consts
    // Cephes exp2f: (2^r - 1) / r ~ c5 r^5 + ... + c0 on |r| <= 1/2.
    k.c5 = _mm256_set1_ps(0x1.41FBBCp-13f);   // 1.5353362e-4
    k.c4 = _mm256_set1_ps(0x1.5F3E54p-10f);   // 1.3398875e-3
    k.c3 = _mm256_set1_ps(0x1.3B2D4Cp-7f);    // 9.6184370e-3
    k.c2 = _mm256_set1_ps(0x1.C6AEE8p-5f);    // 5.5503324e-2
    k.c1 = _mm256_set1_ps(0x1.EBFBDCp-3f);    // 2.4022648e-1
    k.c0 = _mm256_set1_ps(0x1.62E430p-1f);    // 6.9314720e-1, ln 2 rounded
    k.cutoff = _mm256_set1_ps(cutoff);
    return k;
}

// 2^y lane by lane for y <= 0; lanes below k->cutoff give +0.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 csimd_exp2_avx2(__m256 y, const csimd_exp2_consts* k) {
    __m256 n = _mm256_add_ps(y, k->magic);
    const __m256 s = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(n), 23));
    n = _mm256_sub_ps(n, k->magic);
    const __m256 r = _mm256_sub_ps(y, n);
    __m256 p = _mm256_fmadd_ps(k->c5, r, k->c4);
    p = _mm256_fmadd_ps(p, r, k->c3);
    p = _mm256_fmadd_ps(p, r, k->c2);
    p = _mm256_fmadd_ps(p, r, k->c1);
    p = _mm256_fmadd_ps(p, r, k->c0);
    const __m256 q = _mm256_mul_ps(p, r);            // 2^r - 1
    const __m256 f = _mm256_fmadd_ps(q, s, s);       // 2^k 2^r
    return _mm256_andnot_ps(_mm256_cmp_ps(y, k->cutoff, _CMP_LT_OQ), f);
}

#endif // __x86_64__
#endif // CSIMD_EXP_AVX2_H
