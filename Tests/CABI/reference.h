/* The C ABI test's double references (reference.c). */
#ifndef SOFTSORTKIT_TEST_REFERENCE_H
#define SOFTSORTKIT_TEST_REFERENCE_H

#include <stdint.h>

/* The test's batch, row length, value width, and the longest row the references sort. */
enum { B = 3, N = 9, D = 2, MAXN = 16 };

/* The scalar each backward differentiates: <G, output(s, v)>, output chosen by kind. */
enum Kind { MATRICES_SOFT, MATRICES_NEURAL, APPLY_S, APPLY_V, SORTED, RANKS, CROSS_ENTROPY };

/* max |a - b| / (1 + |b|) over k elements (NaN counts as a failure). */
double diff(const double *a, const double *b, int64_t k);

/* P of b rows: method 0 SoftSort(tau, p, ascending when asc), 1 NeuralSort(tau). */
void ref_matrices(int method, const double *s, int b, int n, double tau, double p, int asc, double *P);

/* <G, output> of kind on the B x N inputs (CROSS_ENTROPY: -sum log P[i, t_i]). */
double objective(int kind, const double *s, const double *v, const double *g, const int64_t *t, double tau,
                 double p);

/* Central differences of objective with respect to s (or v for APPLY_V). */
void numeric_gradient(int kind, double *s, double *v, const double *g, const int64_t *t, double tau, double p,
                      double *out);

void to_float(const double *a, float *out, int64_t k);
void to_double(const float *a, double *out, int64_t k);

#endif
