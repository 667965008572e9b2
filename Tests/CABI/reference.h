/* The C ABI test's double references (reference.c). */
#ifndef SOFTSORTKIT_TEST_REFERENCE_H
#define SOFTSORTKIT_TEST_REFERENCE_H

#include <stdint.h>

/* The test's batch, row length, value width, top-k rows, quantile levels,
 * and the longest row the references sort. */
enum { B = 3, N = 9, D = 2, K = 4, L = 3, MAXN = 16 };

/* The quantile levels of the test (rows round(q (N - 1)): 0, 2, 8). */
extern const double LEVELS[L];

/* The outputs the references compute. _S and _V name the same output,
 * differentiated with respect to the scores or to the values. */
enum Kind {
    MATRICES_SOFT, MATRICES_NEURAL, APPLY_S, APPLY_V, APPLY_T_S, APPLY_T_V, TOP_K_S, TOP_K_V, QUANTILES_S,
    QUANTILES_V, SORTED, RANKS, CROSS_ENTROPY, CROSS_ENTROPY_NEURAL, NEAREST_NEIGHBORS
};

/* max |a - b| / (1 + |b|) over k elements (NaN counts as a failure). */
double diff(const double *a, const double *b, int64_t k);

/* P of b rows: method 0 SoftSort(tau, p, ascending when asc), 1 NeuralSort(tau). */
void ref_matrices(int method, const double *s, int b, int n, double tau, double p, int asc, double *P);

/* The output of kind for SoftSort(tau, p) descending on the B x N scores s
 * (NeuralSort for MATRICES_NEURAL and CROSS_ENTROPY_NEURAL), into out; returns its element count.
 * v: the values (B x N x D; U in sorted row order for APPLY_T_*), or the
 * matches (B x N) for NEAREST_NEIGHBORS; t: the targets of CROSS_ENTROPY.
 * The losses write one element: -sum log P[b, i, t] and -(1 / (B K)) sum_(i < K) (P y)[b, i]. */
int64_t ref_output(int kind, const double *s, const double *v, const int64_t *t, double tau, double p, double *out);

/* log Z of every row of SoftSort's P: log sum_j exp(-|x_i - s_j|^p / tau). */
void ref_log_normalizers(const double *s, double tau, double p, double *out);

/* <G, output> of kind (the loss itself for the two losses). */
double objective(int kind, const double *s, const double *v, const double *g, const int64_t *t, double tau,
                 double p);

/* Central differences of objective with respect to s (or v for the _V kinds). */
void numeric_gradient(int kind, double *s, double *v, const double *g, const int64_t *t, double tau, double p,
                      double *out);

void to_float(const double *a, float *out, int64_t k);
void to_double(const float *a, double *out, int64_t k);

#endif
