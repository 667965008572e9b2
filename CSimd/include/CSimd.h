#ifndef CSIMD_H
#define CSIMD_H

// CSimd: the C half of SoftSortKit. Not a stable API: every symbol is an
// implementation detail of SoftSortKit, prefixed `csimd_`.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// True when the CPU and the operating system support AVX2 and FMA
/// (CPUID leaf 7 AVX2, leaf 1 FMA + OSXSAVE + AVX, and XGETBV showing the OS
/// saves the XMM and YMM state). Probed once and cached; always false on
/// architectures other than x86-64.
bool csimd_cpu_has_avx2_fma(void);

// MARK: - AVX2+FMA kernels (x86-64 only; call only when the probe says yes)

/// y[j] = exp(x[j]) for x[j] <= 0, within 2 ULP of the correctly rounded exp
/// on [-87.3, 0] (perf/exp-ulp-sweep.sh). Arguments below ln(2^-126)
/// (-87.33654, where exp leaves the normal floats) and -infinity give +0;
/// NaN gives NaN; positive arguments are outside the contract.
void csimd_f32_expminus_u2__avx2_u32(const float* x, float* y, size_t count);

/// SoftSort rows `[row_begin, row_end)` of one batch row, fused (p = 1, p = 2):
/// `matrix[i * count + j] = softmax_j(-|centres[i] - scores[j]|^p / temperature)`.
/// One exp-store-sum pass and one scaling pass per row, no max pass (the
/// largest logit is exactly 0). exp flushes below ln(2^-96) to 0, as the Swift
/// kernels do. `stream`: write the matrix with non-temporal stores (for
/// matrices much larger than the caches).
void csimd_f32_softsort_fwd_p1__avx2_u32(
    const float* scores, const float* centres, float* matrix, size_t count, float temperature,
    size_t row_begin, size_t row_end, bool stream);
void csimd_f32_softsort_fwd_p2__avx2_u32(
    const float* scores, const float* centres, float* matrix, size_t count, float temperature,
    size_t row_begin, size_t row_end, bool stream);

/// SoftSort backward over rows `[row_begin, row_end)`: with
/// `D = P (G - <G_i, P_i>)` and `x = centres[i] - scores[j]`,
/// `column_gradient[j] += sum_i D d'(x) / tau` (an accumulator private to the
/// call) and `centre_gradient[i] = -sum_j D d'(x) / tau`.
void csimd_f32_softsort_bwd_p1__avx2_u16(
    const float* scores, const float* centres, const float* matrix, const float* matrix_gradient,
    float* column_gradient, float* centre_gradient, size_t count, float temperature,
    size_t row_begin, size_t row_end);
void csimd_f32_softsort_bwd_p2__avx2_u16(
    const float* scores, const float* centres, const float* matrix, const float* matrix_gradient,
    float* column_gradient, float* centre_gradient, size_t count, float temperature,
    size_t row_begin, size_t row_end);

/// NeuralSort rows `[row_begin, row_end)`:
/// `softmax_j((sign (n - 1 - 2 i) scores[j] - column_sums[j]) / temperature)`,
/// a max pass, an exp-store-sum pass, a scaling pass.
void csimd_f32_neuralsort_fwd__avx2_u16(
    const float* scores, const float* column_sums, float* matrix, size_t count, float temperature,
    float sign, size_t row_begin, size_t row_end, bool stream);
/// NeuralSort backward over rows: `score_gradient[j] += sum_i D a_i / tau`,
/// `column_sum_gradient[j] -= sum_i D / tau` (both private to the call).
void csimd_f32_neuralsort_bwd__avx2_u8(
    const float* matrix, const float* matrix_gradient, float* score_gradient, float* column_sum_gradient,
    size_t count, float temperature, float sign, size_t row_begin, size_t row_end);
/// `sums[j] = sum_k |scores[j] - scores[k]|`.
void csimd_f32_neuralsort_colsums__avx2_u16(const float* scores, size_t count, float* sums);
/// `gradient[j] += sum_k (sum_gradient[j] + sum_gradient[k]) sign(scores[j] - scores[k])`.
void csimd_f32_neuralsort_colsums_bwd__avx2_u8(
    const float* scores, size_t count, const float* sum_gradient, float* gradient);

/// The fused SoftSort apply `Y = P V` over rows `[row_begin, row_end)`, `P`
/// computed tile by tile and never stored. `values_t` is V transposed
/// (`dimension x count`); writes `output[i * dimension + k]` and the row sums
/// `normalizers[i] = Z_i` at the call's rows. `column_tile`: columns per tile
/// (0: whole rows).
void csimd_f32_softsort_apply_fwd_p1__avx2_u16(
    const float* scores, const float* centres, const float* values_t, float* output, float* normalizers,
    size_t count, size_t dimension, float temperature, size_t column_tile, size_t row_begin, size_t row_end);
void csimd_f32_softsort_apply_fwd_p2__avx2_u16(
    const float* scores, const float* centres, const float* values_t, float* output, float* normalizers,
    size_t count, size_t dimension, float temperature, size_t column_tile, size_t row_begin, size_t row_end);
/// The apply backward over rows: given `output_gradient` (G, `count x
/// dimension`) and `output_dots[i] = <G_i, Y_i>`, adds to `score_gradient`
/// and `values_t_gradient` (accumulators private to the call) and writes
/// `centre_gradient[i]` at the call's rows.
void csimd_f32_softsort_apply_bwd_p1__avx2_u8(
    const float* scores, const float* centres, const float* values_t, const float* normalizers,
    const float* output_dots, const float* output_gradient, float* score_gradient, float* values_t_gradient,
    float* centre_gradient, size_t count, size_t dimension, float temperature, size_t column_tile,
    size_t row_begin, size_t row_end);
void csimd_f32_softsort_apply_bwd_p2__avx2_u8(
    const float* scores, const float* centres, const float* values_t, const float* normalizers,
    const float* output_dots, const float* output_gradient, float* score_gradient, float* values_t_gradient,
    float* centre_gradient, size_t count, size_t dimension, float temperature, size_t column_tile,
    size_t row_begin, size_t row_end);

#ifdef __cplusplus
}
#endif

#endif // CSIMD_H
