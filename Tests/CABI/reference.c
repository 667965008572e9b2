/* Plain double references for the C ABI test: the definitions of SoftSort
 * and NeuralSort written out, and central finite differences. */
#include "reference.h"

#include <math.h>
#include <string.h>

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


double objective(int kind, const double *s, const double *v, const double *g, const int64_t *t,
                        double tau, double p) {
    static double P[B * N * N];
    ref_matrices(kind == MATRICES_NEURAL, s, B, N, tau, p, 0, P);
    double total = 0;
    for (int r = 0; r < B; r++)
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double e = P[(r * N + i) * N + j];
                switch (kind) {
                case MATRICES_SOFT: case MATRICES_NEURAL: total += g[(r * N + i) * N + j] * e; break;
                case APPLY_S: case APPLY_V:
                    for (int k = 0; k < D; k++) total += g[(r * N + i) * D + k] * e * v[(r * N + j) * D + k];
                    break;
                case SORTED: total += g[r * N + i] * e * s[r * N + j]; break;
                case RANKS: total += g[r * N + j] * e * (i + 1); break;
                case CROSS_ENTROPY: if (j == t[r * N + i]) total -= log(e); break;
                }
            }
    return total;
}

/* Central differences of objective with respect to s (or v for APPLY_V). */
void numeric_gradient(int kind, double *s, double *v, const double *g, const int64_t *t, double tau,
                             double p, double *out) {
    double *x = kind == APPLY_V ? v : s;
    int64_t k = kind == APPLY_V ? B * N * D : B * N;
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
