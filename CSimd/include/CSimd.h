#ifndef CSIMD_H
#define CSIMD_H

// CSimd: the C half of SoftSortKit. Not a stable API: every symbol is an
// implementation detail of SoftSortKit, prefixed `csimd_`.
//
// Conventions (XNNPACK's micro-kernel discipline):
// - Kernels never allocate, never abort and keep no state: what a kernel
//   needs besides its inputs and outputs, the caller passes as `scratch`, a
//   buffer of at least `csimd_..._scratch_count(...)` floats (any alignment;
//   32 bytes is best). Concurrent calls need disjoint scratch.
// - The parameters of a kernel family travel in one params struct, shared by
//   its `p1`/`p2` variants; the row kernels take it together with the row
//   range `[row_begin, row_end)`, so a scheduler can split rows among threads
//   with one struct. A call reads the struct and writes only the outputs and
//   the scratch the struct points to.
// - Names: `csimd_<type>_<operation>[_<variant>]__<isa>_u<unroll>`, the
//   unroll being the floats per main-loop iteration; files are named after
//   their kernel family (`CSimd/f32_softsort_fwd__avx2.c`).
// - Matrices are row-major, `count x count` for one batch row; a call
//   processes one batch row (the caller offsets the pointers per batch row).
// - `temperature` > 0, finite inputs: checked by the Swift caller, not here.
//
// Every kernel below is an AVX2+FMA function: call it only when
// `csimd_cpu_has_avx2_fma()` is true. On other architectures the kernels are
// not compiled in (the declarations stay, for the Swift importer).

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// True when the CPU and the operating system support AVX2 and FMA
/// (CPUID leaf 7 AVX2, leaf 1 FMA + OSXSAVE + AVX, and XGETBV showing the OS
/// saves the XMM and YMM state). Probed once and cached (a relaxed atomic);
/// safe to call from any thread; always false on architectures other than
/// x86-64.
bool csimd_cpu_has_avx2_fma(void);

// MARK: - exp

/// y[j] = exp(x[j]) for j < count, x[j] <= 0, within 2 ULP of the correctly
/// rounded exp on [-87.3, 0] (perf/exp-ulp-sweep.sh). Arguments below
/// ln(2^-126) (-87.33654, where exp leaves the normal floats) and -infinity
/// give +0; NaN gives NaN; positive arguments are outside the contract.
/// x == y is allowed. No params struct: it has no parameters besides the
/// two arrays and their length.
void csimd_f32_expminus_u2__avx2_u32(const float* x, float* y, size_t count);

// MARK: - SoftSort forward

/// The parameters of the SoftSort forward (`p = 1` and `p = 2`).
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// The sorted scores c (the row's scores in descending order), `count` floats.
    const float* centres;
    /// The output P, `count x count`; the call writes rows `[row_begin, row_end)`.
    float* matrix;
    /// `csimd_f32_softsort_fwd_scratch_count(count, stream)` floats, private
    /// to the call; may be NULL when that count is 0.
    float* scratch;
    /// n, the length of a batch row.
    size_t count;
    /// tau > 0.
    float temperature;
    /// Write `matrix` with non-temporal stores (for matrices much larger than
    /// the caches): the row is first built in `scratch`, then streamed out.
    /// The values are the same either way. With `scratch` NULL the kernel
    /// uses plain stores.
    bool stream;
} csimd_f32_softsort_fwd_params;

/// Floats of scratch one SoftSort forward call needs: a row buffer of
/// `count` floats when streaming, none otherwise.
static inline size_t csimd_f32_softsort_fwd_scratch_count(size_t count, bool stream) {
    return stream ? count : 0;
}

/// SoftSort rows `[row_begin, row_end)` of one batch row, fused:
/// `matrix[i * count + j] = softmax_j(-|centres[i] - scores[j]|^p / temperature)`,
/// p = 1 (`_p1`) or p = 2 (`_p2`). One exp-store-sum pass and one scaling
/// pass per row, no max pass (the largest logit is exactly 0: c_i is one of
/// the s_j). exp flushes below ln(2^-96) to 0, as the Swift kernels do.
void csimd_f32_softsort_fwd_p1__avx2_u32(
    const csimd_f32_softsort_fwd_params* params, size_t row_begin, size_t row_end);
void csimd_f32_softsort_fwd_p2__avx2_u32(
    const csimd_f32_softsort_fwd_params* params, size_t row_begin, size_t row_end);

// MARK: - SoftSort backward

/// The parameters of the SoftSort backward (`p = 1` and `p = 2`). No scratch.
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// The sorted scores c, `count` floats (as in the forward).
    const float* centres;
    /// The forward's P, `count x count`.
    const float* matrix;
    /// G = dL/dP, `count x count`.
    const float* matrix_gradient;
    /// `count` floats, added to (never cleared): an accumulator private to
    /// the call, so concurrent row ranges need their own.
    float* column_gradient;
    /// `count` floats; the call writes entries `[row_begin, row_end)`.
    float* centre_gradient;
    /// n, the length of a batch row.
    size_t count;
    /// tau > 0.
    float temperature;
} csimd_f32_softsort_bwd_params;

/// SoftSort backward over rows `[row_begin, row_end)`: with
/// `D = P (G - <G_i, P_i>)`, `x = centres[i] - scores[j]` and d'(x) = sign(x)
/// (p = 1, sign(0) = 0) or 2x (p = 2),
/// `column_gradient[j] += sum_i D d'(x) / tau` (rows added in increasing i)
/// and `centre_gradient[i] = -sum_j D d'(x) / tau`.
void csimd_f32_softsort_bwd_p1__avx2_u16(
    const csimd_f32_softsort_bwd_params* params, size_t row_begin, size_t row_end);
void csimd_f32_softsort_bwd_p2__avx2_u16(
    const csimd_f32_softsort_bwd_params* params, size_t row_begin, size_t row_end);

// MARK: - NeuralSort

/// The parameters of the NeuralSort forward.
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// c_j = sum_k |s_j - s_k|, `count` floats (`csimd_f32_neuralsort_colsums__avx2_u16`).
    const float* column_sums;
    /// The output P, `count x count`; the call writes rows `[row_begin, row_end)`.
    float* matrix;
    /// `csimd_f32_neuralsort_fwd_scratch_count(count, stream)` floats,
    /// private to the call; may be NULL when that count is 0.
    float* scratch;
    /// n, the length of a batch row.
    size_t count;
    /// tau > 0.
    float temperature;
    /// +1 for a descending sort, -1 for ascending.
    float sign;
    /// Non-temporal stores of `matrix`, as in `csimd_f32_softsort_fwd_params`.
    bool stream;
} csimd_f32_neuralsort_fwd_params;

/// Floats of scratch one NeuralSort forward call needs: a row buffer of
/// `count` floats when streaming, none otherwise.
static inline size_t csimd_f32_neuralsort_fwd_scratch_count(size_t count, bool stream) {
    return stream ? count : 0;
}

/// NeuralSort rows `[row_begin, row_end)`:
/// `softmax_j((a_i scores[j] - column_sums[j]) / temperature)` with
/// `a_i = sign (count - 1 - 2 i)`; a max pass, an exp-store-sum pass, a
/// scaling pass per row.
void csimd_f32_neuralsort_fwd__avx2_u16(
    const csimd_f32_neuralsort_fwd_params* params, size_t row_begin, size_t row_end);

/// The parameters of the NeuralSort backward. No scratch.
typedef struct {
    /// The forward's P, `count x count`.
    const float* matrix;
    /// G = dL/dP, `count x count`.
    const float* matrix_gradient;
    /// `count` floats, added to: an accumulator private to the call.
    float* score_gradient;
    /// `count` floats, subtracted from: an accumulator private to the call.
    float* column_sum_gradient;
    /// n, the length of a batch row.
    size_t count;
    /// tau > 0.
    float temperature;
    /// +1 for a descending sort, -1 for ascending (as in the forward).
    float sign;
} csimd_f32_neuralsort_bwd_params;

/// NeuralSort backward over rows `[row_begin, row_end)`, with
/// `D = P (G - <G_i, P_i>)`: `score_gradient[j] += sum_i D a_i / tau`,
/// `column_sum_gradient[j] -= sum_i D / tau`.
void csimd_f32_neuralsort_bwd__avx2_u8(
    const csimd_f32_neuralsort_bwd_params* params, size_t row_begin, size_t row_end);

/// The parameters of NeuralSort's column sums. No scratch.
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// The output, `count` floats.
    float* sums;
    /// n, the length of a batch row.
    size_t count;
} csimd_f32_neuralsort_colsums_params;

/// `sums[j] = sum_k |scores[j] - scores[k]|` for every j < count.
void csimd_f32_neuralsort_colsums__avx2_u16(const csimd_f32_neuralsort_colsums_params* params);

/// The parameters of the column sums' backward. No scratch.
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// dL/dc, `count` floats.
    const float* sum_gradient;
    /// `count` floats, added to.
    float* gradient;
    /// n, the length of a batch row.
    size_t count;
} csimd_f32_neuralsort_colsums_bwd_params;

/// `gradient[j] += sum_k (sum_gradient[j] + sum_gradient[k]) sign(scores[j] - scores[k])`
/// for every j < count, sign(0) = 0.
void csimd_f32_neuralsort_colsums_bwd__avx2_u8(const csimd_f32_neuralsort_colsums_bwd_params* params);

// MARK: - SoftSort fused cross-entropy

/// The parameters of the fused SoftSort cross-entropy (`p = 1` and `p = 2`).
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// The sorted scores c, `count` floats (as in the forward).
    const float* centres;
    /// t_i, the column row i should pick, in `[0, count)`; `count` entries.
    const ptrdiff_t* targets;
    /// `csimd_f32_softsort_loss_scratch_count(count)` floats private to the
    /// call: the row buffer (one row of exps, reused for every row).
    float* scratch;
    /// `count` floats, added to (never cleared): an accumulator private to
    /// the call, so concurrent row ranges need their own.
    float* column_gradient;
    /// `count` floats; the call writes entries `[row_begin, row_end)`.
    float* centre_gradient;
    /// n, the length of a batch row.
    size_t count;
    /// tau > 0.
    float temperature;
} csimd_f32_softsort_loss_params;

/// Floats of scratch one fused-loss call needs: one row.
static inline size_t csimd_f32_softsort_loss_scratch_count(size_t count) { return count; }

/// The cross-entropy rows `[row_begin, row_end)` of one batch row, fused,
/// p = 1 (`_p1`) or p = 2 (`_p2`): returns
/// `sum_i |c_i - s_(t_i)|^p / tau + log Z_i` (in double, rows in increasing i),
/// and with `g = P - onehot(t)` (dL/dz), `x = c_i - s_j`,
/// `column_gradient[j] += sum_i g_ij d'(x) / tau` and
/// `centre_gradient[i] = -sum_j g_ij d'(x) / tau`. One exp per entry (the
/// forward's method in base 2, flushing below 2^-96 as the forward does); the only memory written besides
/// the outputs is the one-row scratch.
double csimd_f32_softsort_loss_p1__avx2_u32(
    const csimd_f32_softsort_loss_params* params, size_t row_begin, size_t row_end);
double csimd_f32_softsort_loss_p2__avx2_u32(
    const csimd_f32_softsort_loss_params* params, size_t row_begin, size_t row_end);

/// The longest row the short-row cross-entropy takes.
#define CSIMD_SOFTSORT_LOSS_ROWS_MAX_COUNT 64

/// The parameters of the short-row SoftSort cross-entropy: eight batch rows
/// `[first, first + 8)` (those below `batch`), one per AVX lane.
typedef struct {
    /// The batch's scores, `batch * count` floats, row-major.
    const float* scores;
    /// t, the column each row should pick, in `[0, count)`; `batch * count` entries.
    const ptrdiff_t* targets;
    /// `csimd_f32_softsort_loss_rows_scratch_count(count)` floats private to the call.
    float* scratch;
    /// `batch * count` floats; the call writes its rows.
    float* gradient;
    size_t batch;
    /// n, at most `CSIMD_SOFTSORT_LOSS_ROWS_MAX_COUNT`.
    size_t count;
    /// The block's first batch row.
    size_t first;
    /// tau > 0.
    float temperature;
    /// Nonzero: row 0 of P is centred on the largest score.
    int descending;
} csimd_f32_softsort_loss_rows_params;

/// Floats of scratch one short-row call needs: the tile, one row of P, the
/// gradient and the targets, eight lanes each.
static inline size_t csimd_f32_softsort_loss_rows_scratch_count(size_t count) { return 32 * count; }

/// The cross-entropy of the block's rows, p = 1 (`_p1`) or p = 2 (`_p2`):
/// writes their whole gradient `dL/ds` (the sort's routing included) and
/// returns `sum_(b, i) |c_i - s_(t_i)|^p / tau + log Z_i` over them (in
/// double, lanes in order). Rows ranked by (value, index), as the stable sort.
double csimd_f32_softsort_loss_rows_p1__avx2_x8(const csimd_f32_softsort_loss_rows_params* params);
double csimd_f32_softsort_loss_rows_p2__avx2_x8(const csimd_f32_softsort_loss_rows_params* params);

/// The parameters of the fused NeuralSort cross-entropy.
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// The column sums c_j = sum_k |s_j - s_k|, `count` floats.
    const float* column_sums;
    /// t_i, the column row i should pick, in `[0, count)`; `count` entries.
    const ptrdiff_t* targets;
    /// `csimd_f32_neuralsort_loss_scratch_count(count)` floats private to the call.
    float* scratch;
    /// `count` floats, added to (never cleared), private to the call.
    float* score_gradient;
    /// `count` floats, added to (never cleared), private to the call.
    float* column_sum_gradient;
    /// n, the length of a batch row.
    size_t count;
    /// tau > 0.
    float temperature;
    /// +1 (descending) or -1 (ascending).
    float sign;
} csimd_f32_neuralsort_loss_params;

/// Floats of scratch one NeuralSort fused-loss call needs: one row.
static inline size_t csimd_f32_neuralsort_loss_scratch_count(size_t count) { return count; }

/// The NeuralSort cross-entropy rows `[row_begin, row_end)` of one batch row,
/// fused: with `a_i = sign (n - 1 - 2 i)` and `w_ij = a_i s_j - c_j`, returns
/// `sum_i (max_j w_ij - w_(i, t_i)) / tau + log sum_j exp((w_ij - max_j w_ij) / tau)`
/// (in double, rows in increasing i), and with `g = P - onehot(t)`,
/// `score_gradient[j] += sum_i a_i g_ij / tau`,
/// `column_sum_gradient[j] -= sum_i g_ij / tau`. The largest numerator is
/// subtracted before dividing by tau, so no logit is formed (finite for any
/// finite w). One exp per entry (base 2, flushing below 2^-96).
double csimd_f32_neuralsort_loss__avx2_u32(
    const csimd_f32_neuralsort_loss_params* params, size_t row_begin, size_t row_end);

// MARK: - Fused apply Y = P V

/// The columns of one apply tile: `column_tile`, or the whole row when it is
/// 0 or larger than `count`.
static inline size_t csimd_f32_softsort_apply_tile_count(size_t count, size_t column_tile) {
    return (column_tile == 0 || column_tile > count) ? count : column_tile;
}

/// The parameters of the fused SoftSort apply forward (`p = 1` and `p = 2`).
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// The sorted scores c, `count` floats.
    const float* centres;
    /// V transposed, `dimension x count` (column k of V at `values_t + k count`).
    const float* values_t;
    /// Y, `count x dimension`; the call writes rows `[row_begin, row_end)`.
    float* output;
    /// Z_i = sum_j e_ij, `count` floats; the call writes `[row_begin, row_end)`
    /// (the backward needs them).
    float* normalizers;
    /// `csimd_f32_softsort_apply_fwd_scratch_count(count, dimension, column_tile)`
    /// floats (one tile of P when `dimension != 1`), private to the call;
    /// may be NULL when that count is 0.
    float* scratch;
    /// n, the length of a batch row.
    size_t count;
    /// d, the columns of V.
    size_t dimension;
    /// Columns per tile (0: whole rows). Fixes the summation order: results
    /// depend on it in the last bits.
    size_t column_tile;
    /// tau > 0.
    float temperature;
} csimd_f32_softsort_apply_fwd_params;

/// Floats of scratch one apply forward call needs: one tile buffer when
/// `dimension != 1`, none for `dimension == 1`.
static inline size_t csimd_f32_softsort_apply_fwd_scratch_count(
    size_t count, size_t dimension, size_t column_tile) {
    return dimension == 1 ? 0 : csimd_f32_softsort_apply_tile_count(count, column_tile);
}

/// The fused SoftSort apply `Y = P V` over rows `[row_begin, row_end)`, `P`
/// computed tile by tile and never stored:
/// `output[i * dimension + k] = sum_j e_ij V[j, k] / Z_i` with
/// `e_ij = exp(-|centres[i] - scores[j]|^p / temperature)` and
/// `normalizers[i] = Z_i = sum_j e_ij`.
void csimd_f32_softsort_apply_fwd_p1__avx2_u16(
    const csimd_f32_softsort_apply_fwd_params* params, size_t row_begin, size_t row_end);
void csimd_f32_softsort_apply_fwd_p2__avx2_u16(
    const csimd_f32_softsort_apply_fwd_params* params, size_t row_begin, size_t row_end);

/// The parameters of the fused SoftSort apply backward (`p = 1` and `p = 2`).
typedef struct {
    /// The scores s of one batch row, `count` floats.
    const float* scores;
    /// The sorted scores c, `count` floats.
    const float* centres;
    /// V transposed, `dimension x count`, as in the forward.
    const float* values_t;
    /// The forward's Z_i, `count` floats.
    const float* normalizers;
    /// `output_dots[i] = <G_i, Y_i>`, `count` floats.
    const float* output_dots;
    /// G = dL/dY, `count x dimension`.
    const float* output_gradient;
    /// `count` floats, added to: an accumulator private to the call.
    float* score_gradient;
    /// dL/dV transposed, `dimension x count`, added to: an accumulator
    /// private to the call.
    float* values_t_gradient;
    /// `count` floats; the call writes entries `[row_begin, row_end)`.
    float* centre_gradient;
    /// `csimd_f32_softsort_apply_bwd_scratch_count(count, dimension, column_tile)`
    /// floats (two tiles, P and <G_i, V_j>, when `dimension != 1`), private
    /// to the call; may be NULL when that count is 0.
    float* scratch;
    /// n, the length of a batch row.
    size_t count;
    /// d, the columns of V.
    size_t dimension;
    /// Columns per tile (0: whole rows), as in the forward.
    size_t column_tile;
    /// tau > 0.
    float temperature;
} csimd_f32_softsort_apply_bwd_params;

/// Floats of scratch one apply backward call needs: two tile buffers when
/// `dimension != 1`, none for `dimension == 1`.
static inline size_t csimd_f32_softsort_apply_bwd_scratch_count(
    size_t count, size_t dimension, size_t column_tile) {
    return dimension == 1 ? 0 : 2 * csimd_f32_softsort_apply_tile_count(count, column_tile);
}

/// The apply backward over rows `[row_begin, row_end)`: with
/// `P_ij = e_ij / Z_i`, `D_ij = P_ij (<G_i, V_j> - output_dots[i])` and
/// `x = centres[i] - scores[j]`: `score_gradient[j] += sum_i D_ij d'(x) / tau`,
/// `centre_gradient[i] = -sum_j D_ij d'(x) / tau` and
/// `values_t_gradient[k * count + j] += sum_i P_ij G[i, k]`.
void csimd_f32_softsort_apply_bwd_p1__avx2_u8(
    const csimd_f32_softsort_apply_bwd_params* params, size_t row_begin, size_t row_end);
void csimd_f32_softsort_apply_bwd_p2__avx2_u8(
    const csimd_f32_softsort_apply_bwd_params* params, size_t row_begin, size_t row_end);

// MARK: - Fast Gauss transform (Double)
//
// The per-point loops of SoftSortKit's 1-D fast Gauss transform
// (Sources/SoftSortKit/Gauss, <doc:GaussTransform>), Double throughout, each
// the AVX2+FMA counterpart of a GaussLanes function (which stays the
// portable fallback). Their sums are added in a fixed order (lanes, then
// (0 + 1) + (2 + 3)), so a call gives the same bits whatever thread runs it;
// they agree with the Swift code to rounding, not bit for bit (FMA).

/// moments[m] = sum_j q_j (centre - points[j])^m / m!, m < order, j < count
/// (q_j = weights[j], or 1 when `weights` is NULL); `reciprocal[k] = 1 / k`
/// for 1 <= k <= order; `lanes` is scratch of 4 * order doubles.
void csimd_f64_gauss_moments__avx2_u8(
    const double* points, const double* weights, size_t count, double centre, size_t order,
    const double* reciprocal, double* lanes, double* moments);

/// With a = points[i] - centre, i < count: sums[i] = sum_{m < order}
/// local[m] a^m (not written when `sums` is NULL) and moments[i] = -1/2
/// d/da of it.
void csimd_f64_gauss_evaluate__avx2_u8(
    const double* local, size_t order, const double* points, size_t count, double centre, double* sums,
    double* moments);

/// local[m] += sum_{n < order - m} g[m + n] a[n], m < order (one source
/// cell's moments `a` translated by the kernel derivatives `g` into a target
/// cell's local coefficients), 1 <= order <= 40. With B = ceil(order / 4):
/// `g` must be readable to g[order + 4 B - 1] and zero from g[order] on;
/// `local` is read and written to local[4 B - 1], the entries past order
/// getting exact zeros added.
void csimd_f64_gauss_translate__avx2_u4(double* local, const double* g, const double* a, size_t order);

/// With x_i = points[i] - centre and g^(n) the derivatives of exp(-x^2)
/// (Hermite recurrence), i < count: sums[i] += sum_{n < order} g^(n)(x_i)
/// expansion[n] (skipped when `sums` is NULL) and moments[i] -= 1/2
/// sum_{n < order} g^(n+1)(x_i) expansion[n]: one expanded source cell's
/// moments evaluated at the points of a cell that is not expanded.
void csimd_f64_gauss_expansion_at__avx2_u4(
    const double* points, size_t count, double centre, const double* expansion, size_t order, double* sums,
    double* moments);

/// local[m] += sum_{j < count} q_j g^(m)(centre - points[j]), m < order
/// (q_j = weights[j], or 1 when NULL): the sources of a cell that is not
/// expanded added to an expanded target cell's local coefficients; `lanes`
/// is scratch of 4 * order doubles.
void csimd_f64_gauss_sources_to_local__avx2_u4(
    const double* points, const double* weights, size_t count, double centre, size_t order, double* lanes,
    double* local);

/// With d_j = target - points[j], j < count, entries with d_j^2 >
/// radius_squared left out: *value = sum_j q_j exp(-d_j^2) and *moment =
/// sum_j q_j exp(-d_j^2) d_j (q_j = weights[j], or 1 when NULL). The exp is
/// Double.expNonPositive's (within an ulp or two of libm's).
void csimd_f64_gauss_direct__avx2_u8(
    double target, const double* points, const double* weights, size_t count, double radius_squared,
    double* value, double* moment);

#ifdef __cplusplus
}
#endif

#endif // CSIMD_H
