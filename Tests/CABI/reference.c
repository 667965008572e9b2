/* Plain double references for the C ABI test: the definitions of SoftSort
 * and NeuralSort written out, every output as a loop over the dense P, and
 * central finite differences. */
#include "reference.h"

#include <math.h>
#include <string.h>

const double LEVELS[L] = {0.0, 0.3, 1.0};

/* max |a - b| / (1 + |b|) over k elements */
double diff(const double *a, const double *b, int64_t k) {
    double worst = 0;
    for (int64_t e = 0; e < k; e++) {
        double d = fabs(a[e] - b[e]) / (1 + fabs(b[e]));
        if (!(d <= worst)) worst = d; /* NaN propagates as a failure */
    }
    return worst;
}

/* sorted[i] of one row, descending (ascending when asc), by selection */
static void sorted_row(const double *s, int n, int asc, double *out) {
    memcpy(out, s, sizeof(double) * n);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (asc ? out[j] < out[i] : out[j] > out[i]) { double t = out[i]; out[i] = out[j]; out[j] = t; }
}

static void softmax_rows(double *logits, int n) {
    for (int i = 0; i < n; i++) {
        double *row = logits + i * n, top = row[0], z = 0;
        for (int j = 1; j < n; j++) if (row[j] > top) top = row[j];
        for (int j = 0; j < n; j++) { row[j] = exp(row[j] - top); z += row[j]; }
        for (int j = 0; j < n; j++) row[j] /= z;
    }
}

/* P of B rows: method 0 SoftSort(tau, p, asc), 1 NeuralSort(tau) */
void ref_matrices(int method, const double *s, int b, int n, double tau, double p, int asc, double *P) {
    for (int r = 0; r < b; r++) {
        const double *row = s + r * n;
        double *m = P + (int64_t)r * n * n, x[MAXN];
        sorted_row(row, n, asc, x);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                if (method == 0) {
                    m[i * n + j] = -pow(fabs(x[i] - row[j]), p) / tau;
                } else {
                    double c = 0;
                    for (int k = 0; k < n; k++) c += fabs(row[j] - row[k]);
                    m[i * n + j] = ((n + 1 - 2 * (i + 1)) * row[j] - c) / tau;
                }
            }
        softmax_rows(m, n);
    }
}

/* the sorted row P V picks for output row q of the selection (top-k: q; quantiles: round(LEVELS[q] (N - 1))) */
static int selected_row(int kind, int q) {
    return kind == QUANTILES_S || kind == QUANTILES_V ? (int)round(LEVELS[q] * (N - 1)) : q;
}

int64_t ref_output(int kind, const double *s, const double *v, const int64_t *t, double tau, double p, double *out) {
    static double P[B * N * N];
    ref_matrices(kind == MATRICES_NEURAL || kind == CROSS_ENTROPY_NEURAL, s, B, N, tau, p, 0, P);
    switch (kind) {
    case MATRICES_SOFT: case MATRICES_NEURAL:
        memcpy(out, P, sizeof P);
        return B * N * N;
    case APPLY_S: case APPLY_V: case TOP_K_S: case TOP_K_V: case QUANTILES_S: case QUANTILES_V: {
        int rows = kind == APPLY_S || kind == APPLY_V ? N : kind == TOP_K_S || kind == TOP_K_V ? K : L;
        for (int r = 0; r < B; r++)
            for (int q = 0; q < rows; q++)
                for (int e = 0; e < D; e++) {
                    double sum = 0;
                    for (int j = 0; j < N; j++) sum += P[(r * N + selected_row(kind, q)) * N + j] * v[(r * N + j) * D + e];
                    out[(r * rows + q) * D + e] = sum;
                }
        return (int64_t)B * rows * D;
    }
    case APPLY_T_S: case APPLY_T_V:
        for (int r = 0; r < B; r++)
            for (int j = 0; j < N; j++)
                for (int e = 0; e < D; e++) {
                    double sum = 0;
                    for (int i = 0; i < N; i++) sum += P[(r * N + i) * N + j] * v[(r * N + i) * D + e];
                    out[(r * N + j) * D + e] = sum;
                }
        return B * N * D;
    case SORTED: case RANKS:
        for (int r = 0; r < B; r++)
            for (int a = 0; a < N; a++) {
                double sum = 0;
                for (int c = 0; c < N; c++)
                    sum += kind == SORTED ? P[(r * N + a) * N + c] * s[r * N + c] : P[(r * N + c) * N + a] * (c + 1);
                out[r * N + a] = sum;
            }
        return B * N;
    case CROSS_ENTROPY: case CROSS_ENTROPY_NEURAL: {
        double loss = 0;
        for (int r = 0; r < B; r++)
            for (int i = 0; i < N; i++) loss -= log(P[(r * N + i) * N + t[r * N + i]]);
        out[0] = loss;
        return 1;
    }
    case NEAREST_NEIGHBORS: {
        double loss = 0;
        for (int r = 0; r < B; r++)
            for (int i = 0; i < K; i++)
                for (int j = 0; j < N; j++) loss -= P[(r * N + i) * N + j] * v[r * N + j] / (B * K);
        out[0] = loss;
        return 1;
    }
    }
    return 0;
}

void ref_log_normalizers(const double *s, double tau, double p, double *out) {
    for (int r = 0; r < B; r++) {
        double x[MAXN];
        sorted_row(s + r * N, N, 0, x);
        for (int i = 0; i < N; i++) {
            double z = 0;
            for (int j = 0; j < N; j++) z += exp(-pow(fabs(x[i] - s[r * N + j]), p) / tau);
            out[r * N + i] = log(z);
        }
    }
}

double objective(int kind, const double *s, const double *v, const double *g, const int64_t *t, double tau,
                 double p) {
    static double out[B * N * N];
    int64_t k = ref_output(kind, s, v, t, tau, p, out);
    if (kind == CROSS_ENTROPY || kind == CROSS_ENTROPY_NEURAL || kind == NEAREST_NEIGHBORS) return out[0];
    double total = 0;
    for (int64_t e = 0; e < k; e++) total += g[e] * out[e];
    return total;
}

/* Central differences of objective with respect to s (or v for the _V kinds). */
void numeric_gradient(int kind, double *s, double *v, const double *g, const int64_t *t, double tau, double p,
                      double *out) {
    int values = kind == APPLY_V || kind == APPLY_T_V || kind == TOP_K_V || kind == QUANTILES_V;
    double *x = values ? v : s;
    int64_t k = values ? B * N * D : B * N;
    for (int64_t e = 0; e < k; e++) {
        double keep = x[e], h = 1e-6;
        x[e] = keep + h; double up = objective(kind, s, v, g, t, tau, p);
        x[e] = keep - h; double down = objective(kind, s, v, g, t, tau, p);
        x[e] = keep;
        out[e] = (up - down) / (2 * h);
    }
}

void to_float(const double *a, float *out, int64_t k) { for (int64_t e = 0; e < k; e++) out[e] = (float)a[e]; }
void to_double(const float *a, double *out, int64_t k) { for (int64_t e = 0; e < k; e++) out[e] = a[e]; }
