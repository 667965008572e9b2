/*
 * softsortkit.h -- the C ABI of SoftSortKit (libsoftsortkit.so).
 *
 * SoftSort (Prillo & Eisenschlos, ICML 2020) and NeuralSort (Grover et al.,
 * ICLR 2019): every output of the library's RelaxedPermutation (the
 * matrices P, the hard permutation, P V, P^T U, top-k and quantile rows,
 * the relaxed sorted values and ranks, the cross-entropy and kNN losses,
 * the log-normalizers) with its backward, for any caller that can pass
 * pointers: C, C++, Python's ctypes (the package in python/ is built on
 * exactly this header).
 *
 *     SoftSort:    P[b, i, j] = softmax_j( -|sort(s_b)_i - s_b[j]|^p / tau )
 *     NeuralSort:  P[b, i, j] = softmax_j( ((n + 1 - 2 (i + 1)) s_b[j] - sum_k |s_b[j] - s_b[k]|) / tau )
 *
 * Conventions (every function):
 *
 *  - Symbols are prefixed `softsortkit_`; element types are suffixed `_f32`
 *    (float) and `_f64` (double). The ABI version is SOFTSORTKIT_ABI_VERSION;
 *    compare it with softsortkit_abi_version() at load time.
 *  - Every output function takes, in this order: the options (method,
 *    direction, path, temperature, power, ...; softsortkit_options_init
 *    gives the defaults), the scores and their shape (batch, count), the
 *    output's own inputs, its outputs, and `int32_t *path_used`.
 *  - The ABI does no routing of its own: each call is the library's
 *    `forward(scores:batch:count:path:)` followed by one output (and, for a
 *    `_backward`, that output's backward). With SOFTSORTKIT_PATH_AUTOMATIC
 *    the library chooses, per output, the fastest path that computes it
 *    exactly; any other path runs as asked or fails with
 *    SOFTSORTKIT_ERROR_UNSUPPORTED_PATH, whose message names a path that can.
 *    path_used (nullable) receives the SOFTSORTKIT_PATH_* code that ran
 *    (never AUTOMATIC). Which path computes which output:
 *
 *      output                   DENSE FUSED EXACT(p=1) GAUSS(p=2) WINDOW_*
 *      matrices                   x     -      -          -         x
 *      apply, top_k, quantiles    x     x      x          x         x
 *      apply_transposed           x     -      x          x         x
 *      sorted_values              x     x      x          x         x
 *      ranks                      x     -      x          x         x
 *      cross_entropy              x     x      x          x         -
 *      nearest_neighbor_loss      x     x      x          x         x
 *      log_normalizers            -     -      x          x         -
 *
 *    NeuralSort runs on DENSE (every output but log_normalizers) and FUSED
 *    (cross_entropy only). EXACT needs SoftSort with p == 1, GAUSS p == 2.
 *  - Buffers are row-major and caller-owned: the library reads inputs and
 *    writes outputs through the pointers it is given and never keeps them
 *    after the call returns, never allocates memory that crosses the
 *    boundary, and never frees a caller's pointer. Inputs are copied once
 *    into the library's arrays and outputs copied out once. A pointer may be
 *    NULL only where its element count is 0, or where a parameter says
 *    "nullable" (that output is skipped).
 *  - Scores are `batch x count` (B x n); element (b, i, j) of a B x n x n
 *    matrix is at (b * n + i) * n + j; values are B x n x d (d = dimension),
 *    element (b, j, e) at (b * n + j) * d + e.
 *  - Every function returns SOFTSORTKIT_OK (0) or an error code below; on
 *    error nothing is guaranteed about the outputs, and
 *    softsortkit_last_error() returns the library's message (the text of its
 *    typed SoftSortError, e.g. "temperature must be finite and > 0, got 0.0").
 *    Nothing is clamped or fixed up silently.
 *  - Row i of P is the i-th largest score's row (direction
 *    SOFTSORTKIT_DESCENDING, the paper's order) or the i-th smallest's
 *    (SOFTSORTKIT_ASCENDING).
 *  - Backward functions are stateless: they take the forward's inputs again
 *    and recompute the forward (the sort, the normalizers, P where the path
 *    forms it) before the vector-Jacobian product, so no handle has to be
 *    kept or freed. This costs one forward per backward; the losses return
 *    their gradient from the same call as the loss and recompute nothing.
 *  - All functions are thread-safe; they run on softsortkit_threads()
 *    threads and give bitwise-identical results for every thread count.
 */
#ifndef SOFTSORTKIT_H
#define SOFTSORTKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. Bumped on any incompatible change;
 *  the shared library's SONAME is libsoftsortkit.so.<SOFTSORTKIT_ABI_VERSION>. */
#define SOFTSORTKIT_ABI_VERSION 2

/** The library version this header ships with, as softsortkit_version()
 *  returns it at run time ("MAJOR.MINOR.PATCH"). */
#define SOFTSORTKIT_VERSION_MAJOR 0
#define SOFTSORTKIT_VERSION_MINOR 1
#define SOFTSORTKIT_VERSION_PATCH 0

/** The largest thread count softsortkit_set_threads and SOFTSORT_THREADS take. */
#define SOFTSORTKIT_MAX_THREADS 4096

/* ---- Error codes ------------------------------------------------------- */

#define SOFTSORTKIT_OK 0
/** tau <= 0, infinite or NaN (or so once converted to the element type). */
#define SOFTSORTKIT_ERROR_INVALID_TEMPERATURE 1
/** p <= 0, infinite or NaN. */
#define SOFTSORTKIT_ERROR_INVALID_POWER 2
/** A score, value, match or upstream gradient is infinite or NaN. */
#define SOFTSORTKIT_ERROR_NON_FINITE 3
/** A shape is negative, does not fit in memory's index range, or mismatches. */
#define SOFTSORTKIT_ERROR_INVALID_SHAPE 4
/** A target column is outside 0 ..< n. */
#define SOFTSORTKIT_ERROR_INDEX_OUT_OF_RANGE 5
/** A thread count outside 0 ... SOFTSORTKIT_MAX_THREADS (softsortkit_set_threads),
 *  or a set SOFTSORT_THREADS that is no integer in 1 ... SOFTSORTKIT_MAX_THREADS
 *  (every call then fails with this code, the message naming the variable). */
#define SOFTSORTKIT_ERROR_INVALID_THREAD_COUNT 6
/** The backend asked for is unknown or cannot run in this build or CPU. */
#define SOFTSORTKIT_ERROR_BACKEND_UNAVAILABLE 7
/** Another argument is out of range: a method, direction or path code, k,
 *  a quantile level, a window width or tolerance, the gauss accuracy. */
#define SOFTSORTKIT_ERROR_INVALID_ARGUMENT 8
/** A required pointer is NULL while its element count is not 0. */
#define SOFTSORTKIT_ERROR_NULL_POINTER 9
/** The path asked for cannot compute the output (the table above), or
 *  cannot run with these options (EXACT with p != 1, GAUSS with p != 2,
 *  NeuralSort on EXACT, GAUSS or a window); the message names one that can. */
#define SOFTSORTKIT_ERROR_UNSUPPORTED_PATH 10
/** ABI 1's name of SOFTSORTKIT_ERROR_UNSUPPORTED_PATH. */
#define SOFTSORTKIT_ERROR_UNSUPPORTED 10
/** The B x n x n matrix (or another buffer) does not fit in the memory this
 *  process may use; the message names the bytes and the path without it. */
#define SOFTSORTKIT_ERROR_OUT_OF_MEMORY 11

/* ---- Enumerations ------------------------------------------------------ */

/** softsortkit_options.method */
#define SOFTSORTKIT_METHOD_SOFTSORT 0
#define SOFTSORTKIT_METHOD_NEURALSORT 1

/** softsortkit_options.direction: row 0 of P picks the largest (descending) or smallest score. */
#define SOFTSORTKIT_DESCENDING 0
#define SOFTSORTKIT_ASCENDING 1

/** softsortkit_options.path, and what path_used receives (the library's SoftSortPath). */
/** The library chooses, per output, the fastest path that computes it exactly (never a window). */
#define SOFTSORTKIT_PATH_AUTOMATIC 0
/** Through the materialised B x n x n matrices P: O(B n^2) time and memory. */
#define SOFTSORTKIT_PATH_DENSE 1
/** One row of P at a time, never stored: O(B n^2) time, O(B n) memory. */
#define SOFTSORTKIT_PATH_FUSED 2
/** The exact scans: O(B n log n); SoftSort with p == 1 only. */
#define SOFTSORTKIT_PATH_EXACT 3
/** The fast Gauss transform: O(B n) after a radix sort, within `accuracy`; SoftSort with p == 2 only. */
#define SOFTSORTKIT_PATH_GAUSS 4
/** The sparse rows of P inside a window of window_width sorted neighbours on each side: O(B n w). */
#define SOFTSORTKIT_PATH_WINDOW_RANKS 5
/** The sparse rows of P keeping every entry at least window_tolerance times the row's largest. */
#define SOFTSORTKIT_PATH_WINDOW_TOLERANCE 6

/** Backends (softsortkit_set_backend). DEFAULT = the library's preferred one
 *  (the best available, or the environment variable SOFTSORT_BACKEND). */
#define SOFTSORTKIT_BACKEND_DEFAULT 0
#define SOFTSORTKIT_BACKEND_SCALAR 1
#define SOFTSORTKIT_BACKEND_SIMD 2
#define SOFTSORTKIT_BACKEND_AVX2 3

/* ---- Options ----------------------------------------------------------- */

/** What every output call computes, besides its inputs. Fill it with
 *  softsortkit_options_init, then set the fields that differ. Four int32_t
 *  then four double: 48 bytes, no padding (asserted below). */
typedef struct softsortkit_options {
    int32_t method;          /* SOFTSORTKIT_METHOD_SOFTSORT or SOFTSORTKIT_METHOD_NEURALSORT */
    int32_t direction;       /* SOFTSORTKIT_DESCENDING or SOFTSORTKIT_ASCENDING */
    int32_t path;            /* a SOFTSORTKIT_PATH_* code */
    int32_t window_width;    /* SOFTSORTKIT_PATH_WINDOW_RANKS: w >= 0; read by that path only */
    double temperature;      /* tau > 0 */
    double power;            /* SoftSort's p > 0; NeuralSort ignores it */
    double window_tolerance; /* SOFTSORTKIT_PATH_WINDOW_TOLERANCE: 0 < t < 1; read by that path only */
    double accuracy;         /* the GAUSS path's bound in [1e-16, 1e-2], 0 for the default 1e-13;
                                the other paths are exact and NeuralSort ignores it */
} softsortkit_options;

#if defined(__cplusplus) && __cplusplus >= 201103L
static_assert(sizeof(softsortkit_options) == 48 && offsetof(softsortkit_options, temperature) == 16 &&
              offsetof(softsortkit_options, accuracy) == 40, "softsortkit_options: 48 bytes, no padding");
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(softsortkit_options) == 48 && offsetof(softsortkit_options, temperature) == 16 &&
               offsetof(softsortkit_options, accuracy) == 40, "softsortkit_options: 48 bytes, no padding");
#endif

/* ---- Version, errors, settings, options ------------------------------- */

/** The ABI version of the loaded library (compare with SOFTSORTKIT_ABI_VERSION). */
int32_t softsortkit_abi_version(void);

/** The library's version as "MAJOR.MINOR.PATCH"; a static string. */
const char *softsortkit_version(void);

/** The message of the last failing call on this thread ("" if none yet).
 *  Valid until the next failing call on this thread; do not free it. */
const char *softsortkit_last_error(void);

/** The name of a result code, "SOFTSORTKIT_OK" or "SOFTSORTKIT_ERROR_..."
 *  (10 is "SOFTSORTKIT_ERROR_UNSUPPORTED_PATH"); a static string, or NULL
 *  for a code this header does not define. */
const char *softsortkit_error_name(int32_t code);

/** Sets the thread count of every later call (all threads of the process):
 *  1 ... SOFTSORTKIT_MAX_THREADS, or 0 for the default (SOFTSORT_THREADS or
 *  the cores available); anything else is SOFTSORTKIT_ERROR_INVALID_THREAD_COUNT. */
int32_t softsortkit_set_threads(int32_t threads);

/** The thread count later calls run on (the default resolved when 0 was set). */
int32_t softsortkit_threads(void);

/** Sets the backend of every later call: a SOFTSORTKIT_BACKEND_* value.
 *  Fails with SOFTSORTKIT_ERROR_BACKEND_UNAVAILABLE when it cannot run here. */
int32_t softsortkit_set_backend(int32_t backend);

/** Writes the backend later calls run on (never DEFAULT) to *backend. Fails
 *  when SOFTSORT_BACKEND names no backend or one that cannot run here (every
 *  call then fails alike, the message naming the variable). */
int32_t softsortkit_backend(int32_t *backend);

/** 1 when the backend (SCALAR, SIMD, AVX2) can run in this build and CPU, else 0. */
int32_t softsortkit_backend_available(int32_t backend);

/** Frees the workspaces the calls keep between calls. Each call takes a
 *  workspace and, after its outputs are copied out, keeps it for the next
 *  call (up to two per element type, so that a training loop allocates less
 *  in the steady state). A workspace that served a DENSE call whose
 *  B x n x n matrices take more than 128 MiB is freed by itself once no call
 *  of its element type has started for one second (a loop keeps it, a
 *  one-off call does not hold it for good). What stays longer is at most two
 *  workspaces per element type, each up to 128 MiB of dense matrices and
 *  the O(B n) state of the other paths for the largest shape it served.
 *  A sorted values or ranks call on the EXACT or GAUSS path also leaves its
 *  result there (with a copy of its scores), so that the backward call that
 *  follows with the same scores, options and backend (compared bit for bit)
 *  runs only the backward: the same bits as a forward computed anew. The
 *  next call on that workspace drops it. This frees them all at once.
 *  Always succeeds. */
void softsortkit_release_scratch(void);

/** Fills *options with the defaults: SoftSort, descending, automatic path,
 *  temperature 1, power 1, window_width 0, window_tolerance 0, accuracy 0
 *  (the default bound). Does nothing when options is NULL. */
void softsortkit_options_init(softsortkit_options *options);

/* ---- The matrices and the hard permutation ----------------------------- */

/** P, B x n x n (DENSE; on a WINDOW path the kept entries, zeros outside
 *  each row's window). AUTOMATIC runs DENSE. O(B n^2) time and memory. */
int32_t softsortkit_matrices_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    float *matrices, int32_t *path_used);
int32_t softsortkit_matrices_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    double *matrices, int32_t *path_used);

/** dL/ds (B x n) given dL/dP (B x n x n). */
int32_t softsortkit_matrices_backward_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *grad_matrices, float *grad_scores, int32_t *path_used);
int32_t softsortkit_matrices_backward_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *grad_matrices, double *grad_scores, int32_t *path_used);

/** The hard permutations, B x n: permutation[b*n + i] is the column of the
 *  i-th largest score of row b (smallest, ascending), ties by index. The same
 *  on every path (a radix sort, O(B n)), so it reports no path; the options
 *  are checked as for any output. */
int32_t softsortkit_permutation_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    int64_t *permutation);
int32_t softsortkit_permutation_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    int64_t *permutation);

/* ---- Products ---------------------------------------------------------- */

/** Y = P V, B x n x d: Y[b, i, :] = sum_j P[b, i, j] V[b, j, :], values V
 *  B x n x d in the scores' column order, rows of Y in sorted order. The
 *  FUSED path takes d >= 0, the others d >= 1. */
int32_t softsortkit_apply_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *values, int64_t dimension, float *output, int32_t *path_used);
int32_t softsortkit_apply_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *values, int64_t dimension, double *output, int32_t *path_used);

/** dL/ds (B x n) and dL/dV (B x n x d, nullable) given dL/dY (B x n x d). */
int32_t softsortkit_apply_backward_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *values, int64_t dimension, const float *grad_output, float *grad_scores,
    float *grad_values, int32_t *path_used);
int32_t softsortkit_apply_backward_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *values, int64_t dimension, const double *grad_output, double *grad_scores,
    double *grad_values, int32_t *path_used);

/** Y = P^T U, B x n x d: Y[b, j, :] = sum_i P[b, i, j] U[b, i, :], values U
 *  B x n x d in sorted row order, rows of Y in the scores' column order. */
int32_t softsortkit_apply_transposed_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *values, int64_t dimension, float *output, int32_t *path_used);
int32_t softsortkit_apply_transposed_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *values, int64_t dimension, double *output, int32_t *path_used);

/** dL/ds (B x n) and dL/dU = P G (B x n x d, nullable) given G = dL/dY. */
int32_t softsortkit_apply_transposed_backward_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *values, int64_t dimension, const float *grad_output, float *grad_scores,
    float *grad_values, int32_t *path_used);
int32_t softsortkit_apply_transposed_backward_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *values, int64_t dimension, const double *grad_output, double *grad_scores,
    double *grad_values, int32_t *path_used);

/** The first k rows of P V (0 <= k <= n), B x k x d: the relaxed top-k of the
 *  values by score. */
int32_t softsortkit_top_k_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    int64_t k, const float *values, int64_t dimension, float *output, int32_t *path_used);
int32_t softsortkit_top_k_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    int64_t k, const double *values, int64_t dimension, double *output, int32_t *path_used);

/** dL/ds and dL/dV (nullable) given dL/doutput (B x k x d). */
int32_t softsortkit_top_k_backward_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    int64_t k, const float *values, int64_t dimension, const float *grad_output, float *grad_scores,
    float *grad_values, int32_t *path_used);
int32_t softsortkit_top_k_backward_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    int64_t k, const double *values, int64_t dimension, const double *grad_output, double *grad_scores,
    double *grad_values, int32_t *path_used);

/** Rows of P V at quantile levels, B x level_count x d: level q (in [0, 1])
 *  is row round(q (n - 1)) (q = 0 the largest score's row, descending). */
int32_t softsortkit_quantiles_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const double *levels, int64_t level_count, const float *values, int64_t dimension,
    float *output, int32_t *path_used);
int32_t softsortkit_quantiles_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *levels, int64_t level_count, const double *values, int64_t dimension,
    double *output, int32_t *path_used);

/** dL/ds and dL/dV (nullable) given dL/doutput (B x level_count x d). */
int32_t softsortkit_quantiles_backward_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const double *levels, int64_t level_count, const float *values, int64_t dimension,
    const float *grad_output, float *grad_scores, float *grad_values, int32_t *path_used);
int32_t softsortkit_quantiles_backward_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *levels, int64_t level_count, const double *values, int64_t dimension,
    const double *grad_output, double *grad_scores, double *grad_values, int32_t *path_used);

/* ---- Sorted values, ranks, normalizers --------------------------------- */

/** The relaxed sorted values P s, B x n: entry i is close to the i-th largest score. */
int32_t softsortkit_sorted_values_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    float *output, int32_t *path_used);
int32_t softsortkit_sorted_values_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    double *output, int32_t *path_used);

/** dL/ds given dL/d(P s) (B x n), through both P and s. Right after the
 *  forward with the same arguments it reuses that forward's result
 *  (softsortkit_release_scratch); otherwise it computes the forward again. */
int32_t softsortkit_sorted_values_backward_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *grad_output, float *grad_scores, int32_t *path_used);
int32_t softsortkit_sorted_values_backward_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *grad_output, double *grad_scores, int32_t *path_used);

/** The relaxed ranks P^T r, r = (1, ..., n), B x n in the scores' column
 *  order: entry j is close to the rank of score j (1 = largest, descending). */
int32_t softsortkit_ranks_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    float *output, int32_t *path_used);
int32_t softsortkit_ranks_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    double *output, int32_t *path_used);

/** dL/ds given dL/d(P^T r) (B x n). Reuses the forward's result as the
 *  sorted values' backward does. */
int32_t softsortkit_ranks_backward_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *grad_output, float *grad_scores, int32_t *path_used);
int32_t softsortkit_ranks_backward_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *grad_output, double *grad_scores, int32_t *path_used);

/** log Z_i of every row of every P, B x n (rows sorted):
 *  Z_i = sum_j exp(-|x_i - s_j|^p / tau) >= 1, so log P[i, j] = -|x_i - s_j|^p / tau - log Z_i.
 *  EXACT (p == 1) and GAUSS (p == 2) only; no backward. */
int32_t softsortkit_log_normalizers_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    float *output, int32_t *path_used);
int32_t softsortkit_log_normalizers_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    double *output, int32_t *path_used);

/* ---- Losses ------------------------------------------------------------ */

/** The paper's sorting loss and dL/ds (nullable) for an upstream gradient of 1, in one call:
 *      L = sum_(b, i) -log P[b, i, targets[b*n + i]]      (a SUM over all B n rows)
 *  computed as |x_i - s_t|^p / tau + log Z_i, never as the log of an
 *  underflowed entry. targets are B x n columns in 0 ..< n (the identity is
 *  the paper's task). The loss is summed in double and rounded to the
 *  element type once. */
int32_t softsortkit_cross_entropy_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const int64_t *targets, float *loss, float *grad_scores, int32_t *path_used);
int32_t softsortkit_cross_entropy_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const int64_t *targets, double *loss, double *grad_scores, int32_t *path_used);

/** The paper's differentiable kNN loss and dL/ds (nullable), in one call:
 *      L = -(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]      (a MEAN over the B k rows)
 *  matches y: B x n (1 where the candidate's class matches the query's, else
 *  0; any finite values work), not differentiated; 1 <= k <= n. */
int32_t softsortkit_nearest_neighbor_loss_f32(
    const softsortkit_options *options, const float *scores, int64_t batch, int64_t count,
    const float *matches, int64_t k, float *loss, float *grad_scores, int32_t *path_used);
int32_t softsortkit_nearest_neighbor_loss_f64(
    const softsortkit_options *options, const double *scores, int64_t batch, int64_t count,
    const double *matches, int64_t k, double *loss, double *grad_scores, int32_t *path_used);

/* ---- XLA FFI handlers ---------------------------------------------------- */

/** Handlers for XLA's foreign function interface (JAX's jax.ffi.ffi_call;
 *  python/softsortkit/jax.py registers them with jax.ffi.register_ffi_target
 *  on the "cpu" platform, API version 1). Each is an XLA_FFI_Handler of XLA's
 *  stable C API (xla/ffi/api/c_api.h, shipped with jaxlib):
 *
 *      XLA_FFI_Error *handler(XLA_FFI_CallFrame *call_frame);
 *
 *  declared here with `void *` so that this header needs none of XLA's. The
 *  library reads the call frame at that header's offsets (API 0.x, checked
 *  against every struct_size), answers XLA's metadata query (it reports API
 *  version 0.1), runs at the execute stage only, and serves float32 and
 *  float64 by the scores' element type. Buffers are XLA's, used in place;
 *  shapes are (..., n): the leading dimensions are the batch. Each handler
 *  is the C function of the same output on those buffers, options from the
 *  attributes method, direction, path, window_width (int32 or int64 scalars),
 *  temperature, power, window_tolerance, accuracy (float32 or float64
 *  scalars), plus `k` (top_k, nearest_neighbor_loss) and `levels` (quantiles,
 *  a float64 array). A wrong type or element count, or a failing call, returns
 *  an XLA_FFI_Error (INVALID_ARGUMENT) with the library's message.
 *
 *    forward   arguments (scores[, values]), result (output)
 *    backward  arguments (scores[, values], grad_output),
 *              results (grad_scores[, grad_values])
 *    losses    arguments (scores, targets (int32 or int64) | matches), results
 *              (loss[, grad_scores]): loss has m elements, the batch is cut
 *              into m equal groups of consecutive rows, each one call. */
void *softsortkit_xla_matrices(void *call_frame);
void *softsortkit_xla_matrices_backward(void *call_frame);
void *softsortkit_xla_sorted_values(void *call_frame);
void *softsortkit_xla_sorted_values_backward(void *call_frame);
void *softsortkit_xla_ranks(void *call_frame);
void *softsortkit_xla_ranks_backward(void *call_frame);
void *softsortkit_xla_apply(void *call_frame);
void *softsortkit_xla_apply_backward(void *call_frame);
void *softsortkit_xla_apply_transposed(void *call_frame);
void *softsortkit_xla_apply_transposed_backward(void *call_frame);
void *softsortkit_xla_top_k(void *call_frame);
void *softsortkit_xla_top_k_backward(void *call_frame);
void *softsortkit_xla_quantiles(void *call_frame);
void *softsortkit_xla_quantiles_backward(void *call_frame);
void *softsortkit_xla_cross_entropy(void *call_frame);
void *softsortkit_xla_nearest_neighbor_loss(void *call_frame);

#ifdef __cplusplus
}
#endif

#endif /* SOFTSORTKIT_H */
