/*
 * softsortkit.h -- the C ABI of SoftSortKit (libsoftsortkit.so).
 *
 * SoftSort (Prillo & Eisenschlos, ICML 2020), NeuralSort (Grover et al.,
 * ICLR 2019), their fused products and the paper's cross-entropy loss, for
 * any caller that can pass pointers: C, C++, Python's ctypes (the package in
 * python/ is built on exactly this header).
 *
 *     P[b, i, j] = softmax_j( -|sort(s_b)_i - s_b[j]|^p / tau )
 *
 * Conventions (every function):
 *
 *  - Symbols are prefixed `softsortkit_`; element types are suffixed `_f32`
 *    (float) and `_f64` (double). The ABI version is SOFTSORTKIT_ABI_VERSION;
 *    compare it with softsortkit_abi_version() at load time.
 *  - Buffers are row-major and caller-owned: the library reads inputs and
 *    writes outputs through the pointers it is given and never keeps them
 *    after the call returns, never allocates memory that crosses the
 *    boundary, and never frees a caller's pointer. A pointer may be NULL only
 *    where its element count is 0, or where a parameter says "nullable".
 *  - Scores are `batch x count` (B x n); element (b, i, j) of a B x n x n
 *    matrix is at (b * n + i) * n + j; values are B x n x d.
 *  - Every function returns SOFTSORTKIT_OK (0) or an error code below; on
 *    error nothing is guaranteed about the outputs, and
 *    softsortkit_last_error() returns the library's message (the text of its
 *    typed SoftSortError, e.g. "temperature must be finite and > 0, got 0.0").
 *    Nothing is clamped or fixed up silently.
 *  - Row i of P is the i-th largest score's row (direction
 *    SOFTSORTKIT_DESCENDING, the paper's order) or the i-th smallest's
 *    (SOFTSORTKIT_ASCENDING).
 *  - Backward functions are stateless: they take the forward's inputs again
 *    and recompute the forward state (the sort and P) before the
 *    vector-Jacobian product, so no handle has to be kept or freed. This
 *    costs one forward per backward; the cross-entropy returns its gradient
 *    from the same call as the loss and recomputes nothing.
 *  - All functions are thread-safe; they run on softsortkit_threads()
 *    threads and give bitwise-identical results for every thread count.
 */
#ifndef SOFTSORTKIT_H
#define SOFTSORTKIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. Bumped on any incompatible change. */
#define SOFTSORTKIT_ABI_VERSION 1

/* ---- Error codes ------------------------------------------------------- */

#define SOFTSORTKIT_OK 0
/** tau <= 0, infinite or NaN (or so once converted to the element type). */
#define SOFTSORTKIT_ERROR_INVALID_TEMPERATURE 1
/** p <= 0, infinite or NaN. */
#define SOFTSORTKIT_ERROR_INVALID_POWER 2
/** A score, value, target weight or upstream gradient is infinite or NaN. */
#define SOFTSORTKIT_ERROR_NON_FINITE 3
/** A shape is negative, does not fit in memory's index range, or mismatches. */
#define SOFTSORTKIT_ERROR_INVALID_SHAPE 4
/** A target column is outside 0 ..< n. */
#define SOFTSORTKIT_ERROR_INDEX_OUT_OF_RANGE 5
/** A thread count below 0 (softsortkit_set_threads) or below 1. */
#define SOFTSORTKIT_ERROR_INVALID_THREAD_COUNT 6
/** The backend asked for is unknown or cannot run in this build or CPU. */
#define SOFTSORTKIT_ERROR_BACKEND_UNAVAILABLE 7
/** Another argument (direction, path, a row count) is out of range. */
#define SOFTSORTKIT_ERROR_INVALID_ARGUMENT 8
/** A required pointer is NULL while its element count is not 0. */
#define SOFTSORTKIT_ERROR_NULL_POINTER 9
/** The computation asked for is not available (the exact loss path with p != 1). */
#define SOFTSORTKIT_ERROR_UNSUPPORTED 10
/** The B x n x n matrix (or another buffer) does not fit in the memory this
 *  process may use; the message names the bytes and the path without it. */
#define SOFTSORTKIT_ERROR_OUT_OF_MEMORY 11

/* ---- Enumerations ------------------------------------------------------ */

/** Sort direction: row 0 of P picks the largest (descending) or smallest score. */
#define SOFTSORTKIT_DESCENDING 0
#define SOFTSORTKIT_ASCENDING 1

/** Backends (softsortkit_set_backend). DEFAULT = the library's preferred one
 *  (the best available, or the environment variable SOFTSORT_BACKEND). */
#define SOFTSORTKIT_BACKEND_DEFAULT 0
#define SOFTSORTKIT_BACKEND_SCALAR 1
#define SOFTSORTKIT_BACKEND_SIMD 2
#define SOFTSORTKIT_BACKEND_AVX2 3

/** Loss paths (softsortkit_softsort_cross_entropy_*), as SoftSortKit's LossPath. */
/** The library chooses: p == 1 -> EXACT, p == 2 -> GAUSS, otherwise FUSED. */
#define SOFTSORTKIT_PATH_AUTOMATIC 0
/** Through the materialised B x n x n matrix P (a reference; B n^2 memory). */
#define SOFTSORTKIT_PATH_DENSE 1
/** One row of P at a time, one exp per entry, O(B n) memory. */
#define SOFTSORTKIT_PATH_FUSED 2
/** The exact O(n log n) scan; SoftSort with p == 1 only. */
#define SOFTSORTKIT_PATH_EXACT 3
/** The fast Gauss transform on the sorted scores; SoftSort with p == 2 only. */
#define SOFTSORTKIT_PATH_GAUSS 4

/* ---- Version, errors, settings ----------------------------------------- */

/** The ABI version of the loaded library (compare with SOFTSORTKIT_ABI_VERSION). */
int32_t softsortkit_abi_version(void);

/** The library's version as "MAJOR.MINOR.PATCH"; a static string. */
const char *softsortkit_version(void);

/** The message of the last failing call on this thread ("" if none yet).
 *  Valid until the next failing call on this thread; do not free it. */
const char *softsortkit_last_error(void);

/** Sets the thread count of every later call (all threads of the process):
 *  threads >= 1, or 0 for the default (SOFTSORT_THREADS or the cores available). */
int32_t softsortkit_set_threads(int32_t threads);

/** The thread count later calls run on (the default resolved when 0 was set). */
int32_t softsortkit_threads(void);

/** Sets the backend of every later call: a SOFTSORTKIT_BACKEND_* value.
 *  Fails with SOFTSORTKIT_ERROR_BACKEND_UNAVAILABLE when it cannot run here. */
int32_t softsortkit_set_backend(int32_t backend);

/** Writes the backend later calls run on (never DEFAULT) to *backend. Fails
 *  when SOFTSORT_BACKEND names a backend that cannot run here. */
int32_t softsortkit_backend(int32_t *backend);

/** 1 when the backend (SCALAR, SIMD, AVX2) can run in this build and CPU, else 0. */
int32_t softsortkit_backend_available(int32_t backend);

/** Frees the scratch buffers the dense calls keep between calls (up to two
 *  B x n x n matrices and their workspaces per element type, kept so that a
 *  training loop allocates nothing in the steady state). Always succeeds. */
void softsortkit_release_scratch(void);

/* ---- SoftSort and NeuralSort: the matrices ----------------------------- */

/** P (B x n x n) and the hard permutations (B x n: permutation[b*n + i] is
 *  the column of the i-th largest score of row b, ties by index).
 *  matrices and permutation are nullable (skip that output).
 *  O(B n^2) time; B n^2 elements of scratch held during the call. */
int32_t softsortkit_softsort_forward_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, float *matrices, int64_t *permutation);
int32_t softsortkit_softsort_forward_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, double *matrices, int64_t *permutation);

/** dL/ds (B x n) given dL/dP (B x n x n) at the same inputs as the forward
 *  (recomputes the forward). O(B n^2). */
int32_t softsortkit_softsort_backward_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, const float *grad_matrices, float *grad_scores);
int32_t softsortkit_softsort_backward_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, const double *grad_matrices, double *grad_scores);

/** NeuralSort's P (B x n x n) and the hard permutations (both nullable):
 *  P[i, j] = softmax_j(((n + 1 - 2 (i + 1)) s_j - sum_k |s_j - s_k|) / tau). */
int32_t softsortkit_neuralsort_forward_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, int32_t direction,
    float *matrices, int64_t *permutation);
int32_t softsortkit_neuralsort_forward_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, int32_t direction,
    double *matrices, int64_t *permutation);

/** NeuralSort's dL/ds given dL/dP (recomputes the forward). O(B n^2). */
int32_t softsortkit_neuralsort_backward_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, int32_t direction,
    const float *grad_matrices, float *grad_scores);
int32_t softsortkit_neuralsort_backward_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, int32_t direction,
    const double *grad_matrices, double *grad_scores);

/* ---- The fused product Y = P V ----------------------------------------- */

/** Y = P V (B x n x d) without forming P: O(B n^2 d) time, O(B n d) memory. */
int32_t softsortkit_softsort_apply_f32(
    const float *values, const float *scores, int64_t batch, int64_t count, int64_t dimension,
    double temperature, double power, int32_t direction, float *output);
int32_t softsortkit_softsort_apply_f64(
    const double *values, const double *scores, int64_t batch, int64_t count, int64_t dimension,
    double temperature, double power, int32_t direction, double *output);

/** dL/ds (B x n) and dL/dV (B x n x d, nullable) given dL/dY (B x n x d);
 *  recomputes the forward. */
int32_t softsortkit_softsort_apply_backward_f32(
    const float *values, const float *scores, int64_t batch, int64_t count, int64_t dimension,
    double temperature, double power, int32_t direction, const float *grad_output,
    float *grad_scores, float *grad_values);
int32_t softsortkit_softsort_apply_backward_f64(
    const double *values, const double *scores, int64_t batch, int64_t count, int64_t dimension,
    double temperature, double power, int32_t direction, const double *grad_output,
    double *grad_scores, double *grad_values);

/* ---- The cross-entropy loss -------------------------------------------- */

/** L = sum_(b, i) -log P[b, i, targets[b*n + i]]  (a SUM over all B n rows)
 *  and dL/ds for an upstream gradient of 1, in one call (log P is computed
 *  directly, never as the log of an underflowed entry). targets are B x n
 *  columns in 0 ..< n (the identity is the paper's task). path is a
 *  SOFTSORTKIT_PATH_* value; path_used (nullable) receives the path that ran
 *  (never AUTOMATIC). grad_scores is nullable (the loss alone; the gradient
 *  costs nothing extra on the fused path). The loss is summed in double and
 *  rounded to the element type once. FUSED and DENSE: O(B n^2) time; memory
 *  O(B n) (FUSED) or O(B n^2) (DENSE); EXACT (p == 1): O(B n log n). */
int32_t softsortkit_softsort_cross_entropy_f32(
    const float *scores, const int64_t *targets, int64_t batch, int64_t count, double temperature,
    double power, int32_t direction, int32_t path, float *loss, float *grad_scores,
    int32_t *path_used);
int32_t softsortkit_softsort_cross_entropy_f64(
    const double *scores, const int64_t *targets, int64_t batch, int64_t count, double temperature,
    double power, int32_t direction, int32_t path, double *loss, double *grad_scores,
    int32_t *path_used);

/* ---- Relaxed sorted values and ranks ----------------------------------- */

/** The relaxed sorted values P s (B x n): entry i is close to the i-th
 *  largest score. p == 1: the exact O(n log n) scan; otherwise the fused
 *  product with V = s (O(B n^2) time, O(B n) memory). */
int32_t softsortkit_softsort_sorted_values_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, float *output);
int32_t softsortkit_softsort_sorted_values_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, double *output);

/** dL/ds given dL/d(P s), through both P and s (recomputes the forward). */
int32_t softsortkit_softsort_sorted_values_backward_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, const float *grad_output, float *grad_scores);
int32_t softsortkit_softsort_sorted_values_backward_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, const double *grad_output, double *grad_scores);

/** The relaxed ranks P^T r, r = (1, ..., n) (B x n, columns in the scores'
 *  order): entry j is close to the rank of score j (1 = largest, descending).
 *  p == 1: the exact scan, O(B n log n); otherwise through the dense P,
 *  O(B n^2) time and memory. */
int32_t softsortkit_softsort_ranks_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, float *output);
int32_t softsortkit_softsort_ranks_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, double *output);

/** dL/ds given dL/d(P^T r) (recomputes the forward). */
int32_t softsortkit_softsort_ranks_backward_f32(
    const float *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, const float *grad_output, float *grad_scores);
int32_t softsortkit_softsort_ranks_backward_f64(
    const double *scores, int64_t batch, int64_t count, double temperature, double power,
    int32_t direction, const double *grad_output, double *grad_scores);

#ifdef __cplusplus
}
#endif

#endif /* SOFTSORTKIT_H */
