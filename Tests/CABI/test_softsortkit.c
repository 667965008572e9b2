/*
 * The C ABI's test program: calls every function of softsortkit.h and checks
 * it against plain double references (reference.c: the definitions, central
 * finite differences for the backwards), plus the error codes and messages.
 *
 *   cc -std=c11 -O1 -Iinclude Tests/CABI/test_softsortkit.c Tests/CABI/reference.c \
 *      -L DIR -lsoftsortkit -Wl,-rpath,DIR -lm
 *
 * Prints one line per failed check and "N passed, M failed"; exits non-zero on a failure.
 */
#include "softsortkit.h"
#include "reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL: %s (last error: %s)\n", what, softsortkit_last_error());
    }
}

/* ---- the checks -------------------------------------------------------- */

static double s[B * N], v[B * N * D], gm[B * N * N], gv[B * N * D], gr[B * N];
static int64_t targets[B * N];

static void make_inputs(void) {
    unsigned state = 12345;
    for (int e = 0; e < B * N; e++) {
        /* distinct scores, at least 0.05 apart: no tie within a finite-difference step */
        s[e] = (e % N) * 0.13 + 0.05 * ((e * 7) % 5) - 0.4 * (e / N);
        targets[e] = (e * 4 + e / N) % N;
        state = state * 1103515245u + 12345u; gr[e] = ((state >> 8) % 2000) / 1000.0 - 1;
    }
    for (int e = 0; e < B * N * D; e++) { state = state * 1103515245u + 12345u; v[e] = ((state >> 8) % 2000) / 1000.0 - 1; gv[e] = sin(e); }
    for (int e = 0; e < B * N * N; e++) gm[e] = cos(0.7 * e);
}


static void test_matrices(int neural, double p) {
    const double tau = 0.3;
    static double P[B * N * N], ref[B * N * N], g[B * N], gref[B * N], gd[B * N * N];
    static float Pf[B * N * N], sf[B * N], gf[B * N], gmf[B * N * N];
    int64_t perm[B * N];
    char what[96];
    snprintf(what, sizeof what, "%s p=%g forward f64", neural ? "neuralsort" : "softsort", p);
    int rc = neural ? softsortkit_neuralsort_forward_f64(s, B, N, tau, SOFTSORTKIT_DESCENDING, P, perm)
                    : softsortkit_softsort_forward_f64(s, B, N, tau, p, SOFTSORTKIT_DESCENDING, P, perm);
    ref_matrices(neural, s, B, N, tau, p, 0, ref);
    check(rc == 0 && diff(P, ref, B * N * N) < 1e-12, what);
    int perm_ok = rc == 0;
    for (int r = 0; r < B; r++)
        for (int i = 1; i < N; i++) perm_ok &= s[r * N + perm[r * N + i - 1]] > s[r * N + perm[r * N + i]];
    check(perm_ok, "permutation sorts each row descending");

    to_float(s, sf, B * N);
    rc = neural ? softsortkit_neuralsort_forward_f32(sf, B, N, tau, 0, Pf, NULL)
                : softsortkit_softsort_forward_f32(sf, B, N, tau, p, 0, Pf, NULL);
    to_double(Pf, gd, B * N * N);
    snprintf(what, sizeof what, "%s p=%g forward f32", neural ? "neuralsort" : "softsort", p);
    check(rc == 0 && diff(gd, ref, B * N * N) < 1e-5, what);

    rc = neural ? softsortkit_neuralsort_backward_f64(s, B, N, tau, 0, gm, g)
                : softsortkit_softsort_backward_f64(s, B, N, tau, p, 0, gm, g);
    numeric_gradient(neural ? MATRICES_NEURAL : MATRICES_SOFT, s, v, gm, targets, tau, p, gref);
    snprintf(what, sizeof what, "%s p=%g backward f64 vs finite differences", neural ? "neuralsort" : "softsort", p);
    check(rc == 0 && diff(g, gref, B * N) < 1e-6, what);

    to_float(gm, gmf, B * N * N);
    rc = neural ? softsortkit_neuralsort_backward_f32(sf, B, N, tau, 0, gmf, gf)
                : softsortkit_softsort_backward_f32(sf, B, N, tau, p, 0, gmf, gf);
    to_double(gf, gd, B * N);
    snprintf(what, sizeof what, "%s p=%g backward f32", neural ? "neuralsort" : "softsort", p);
    check(rc == 0 && diff(gd, g, B * N) < 1e-3, what);
}

static void test_ascending(void) {
    static double P[B * N * N], ref[B * N * N];
    int64_t perm[B * N];
    int rc = softsortkit_softsort_forward_f64(s, B, N, 0.2, 1.5, SOFTSORTKIT_ASCENDING, P, perm);
    ref_matrices(0, s, B, N, 0.2, 1.5, 1, ref);
    check(rc == 0 && diff(P, ref, B * N * N) < 1e-12 && s[perm[0]] < s[perm[1]], "softsort ascending");
}

static void test_apply(double p) {
    const double tau = 0.25;
    static double P[B * N * N], y[B * N * D], ref[B * N * D], g[B * N], gvals[B * N * D], nref[B * N * D];
    static float sf[B * N], vf[B * N * D], yf[B * N * D], gvf[B * N * D], gf[B * N], gvalf[B * N * D];
    ref_matrices(0, s, B, N, tau, p, 0, P);
    memset(ref, 0, sizeof ref);
    for (int r = 0; r < B; r++)
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                for (int k = 0; k < D; k++) ref[(r * N + i) * D + k] += P[(r * N + i) * N + j] * v[(r * N + j) * D + k];
    int rc = softsortkit_softsort_apply_f64(v, s, B, N, D, tau, p, 0, y);
    check(rc == 0 && diff(y, ref, B * N * D) < 1e-12, p == 1 ? "apply p=1 f64" : "apply p=2 f64");
    to_float(s, sf, B * N); to_float(v, vf, B * N * D); to_float(gv, gvf, B * N * D);
    rc = softsortkit_softsort_apply_f32(vf, sf, B, N, D, tau, p, 0, yf);
    double yd[B * N * D]; to_double(yf, yd, B * N * D);
    check(rc == 0 && diff(yd, ref, B * N * D) < 1e-5, "apply f32");

    rc = softsortkit_softsort_apply_backward_f64(v, s, B, N, D, tau, p, 0, gv, g, gvals);
    numeric_gradient(APPLY_S, s, v, gv, targets, tau, p, nref);
    check(rc == 0 && diff(g, nref, B * N) < 1e-6, "apply backward dL/ds f64");
    numeric_gradient(APPLY_V, s, v, gv, targets, tau, p, nref);
    check(rc == 0 && diff(gvals, nref, B * N * D) < 1e-6, "apply backward dL/dV f64");
    rc = softsortkit_softsort_apply_backward_f32(vf, sf, B, N, D, tau, p, 0, gvf, gf, gvalf);
    double gd[B * N]; to_double(gf, gd, B * N);
    check(rc == 0 && diff(gd, g, B * N) < 1e-3, "apply backward f32");
    rc = softsortkit_softsort_apply_backward_f64(v, s, B, N, D, tau, p, 0, gv, g, NULL);
    check(rc == 0, "apply backward with grad_values NULL");
}

static void test_cross_entropy(double p, int path, int expected_path) {
    const double tau = 0.5;
    double loss, g[B * N], gref[B * N];
    float lossf, sf[B * N], gf[B * N];
    int32_t used = -1;
    char what[96];
    int rc = softsortkit_softsort_cross_entropy_f64(s, targets, B, N, tau, p, 0, path, &loss, g, &used);
    double ref = objective(CROSS_ENTROPY, s, v, gm, targets, tau, p);
    numeric_gradient(CROSS_ENTROPY, s, v, gm, targets, tau, p, gref);
    snprintf(what, sizeof what, "cross-entropy p=%g path %d f64: loss, gradient, path %d", p, path, expected_path);
    check(rc == 0 && fabs(loss - ref) < 1e-10 * (1 + fabs(ref)) && diff(g, gref, B * N) < 1e-6 && used == expected_path, what);
    to_float(s, sf, B * N);
    rc = softsortkit_softsort_cross_entropy_f32(sf, targets, B, N, tau, p, 0, path, &lossf, gf, NULL);
    double gd[B * N]; to_double(gf, gd, B * N);
    snprintf(what, sizeof what, "cross-entropy p=%g path %d f32", p, path);
    check(rc == 0 && fabs(lossf - ref) < 1e-4 * (1 + fabs(ref)) && diff(gd, g, B * N) < 1e-3, what);
    rc = softsortkit_softsort_cross_entropy_f64(s, targets, B, N, tau, p, 0, path, &loss, NULL, NULL);
    check(rc == 0 && fabs(loss - ref) < 1e-10 * (1 + fabs(ref)), "cross-entropy loss alone");
}

static void test_sorted_and_ranks(double p) {
    const double tau = 0.2;
    static double P[B * N * N];
    double out[B * N], ref[B * N], g[B * N], gref[B * N];
    float sf[B * N], outf[B * N], grf[B * N], gf[B * N];
    char what[96];
    ref_matrices(0, s, B, N, tau, p, 0, P);
    for (int ranks = 0; ranks <= 1; ranks++) {
        memset(ref, 0, sizeof ref);
        for (int r = 0; r < B; r++)
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++) {
                    double e = P[(r * N + i) * N + j];
                    if (ranks) ref[r * N + j] += e * (i + 1); else ref[r * N + i] += e * s[r * N + j];
                }
        int rc = ranks ? softsortkit_softsort_ranks_f64(s, B, N, tau, p, 0, out)
                       : softsortkit_softsort_sorted_values_f64(s, B, N, tau, p, 0, out);
        snprintf(what, sizeof what, "%s p=%g f64", ranks ? "ranks" : "sorted values", p);
        check(rc == 0 && diff(out, ref, B * N) < 1e-12, what);
        to_float(s, sf, B * N); to_float(gr, grf, B * N);
        rc = ranks ? softsortkit_softsort_ranks_f32(sf, B, N, tau, p, 0, outf)
                   : softsortkit_softsort_sorted_values_f32(sf, B, N, tau, p, 0, outf);
        double od[B * N]; to_double(outf, od, B * N);
        snprintf(what, sizeof what, "%s p=%g f32", ranks ? "ranks" : "sorted values", p);
        check(rc == 0 && diff(od, ref, B * N) < 1e-5, what);
        rc = ranks ? softsortkit_softsort_ranks_backward_f64(s, B, N, tau, p, 0, gr, g)
                   : softsortkit_softsort_sorted_values_backward_f64(s, B, N, tau, p, 0, gr, g);
        numeric_gradient(ranks ? RANKS : SORTED, s, v, gr, targets, tau, p, gref);
        snprintf(what, sizeof what, "%s p=%g backward f64 vs finite differences", ranks ? "ranks" : "sorted values", p);
        check(rc == 0 && diff(g, gref, B * N) < 1e-6, what);
        rc = ranks ? softsortkit_softsort_ranks_backward_f32(sf, B, N, tau, p, 0, grf, gf)
                   : softsortkit_softsort_sorted_values_backward_f32(sf, B, N, tau, p, 0, grf, gf);
        double gd[B * N]; to_double(gf, gd, B * N);
        check(rc == 0 && diff(gd, g, B * N) < 1e-3, "sorted values / ranks backward f32");
    }
}

static int error_is(int rc, int code, const char *fragment) {
    return rc == code && strstr(softsortkit_last_error(), fragment) != NULL;
}

static void test_errors(void) {
    double P[B * N * N], loss, g[B * N], bad[B * N];
    int64_t wrong[B * N];
    check(error_is(softsortkit_softsort_forward_f64(s, B, N, 0, 1, 0, P, NULL), SOFTSORTKIT_ERROR_INVALID_TEMPERATURE,
                   "temperature must be finite and > 0"), "temperature 0");
    check(error_is(softsortkit_softsort_forward_f64(s, B, N, 1, -2, 0, P, NULL), SOFTSORTKIT_ERROR_INVALID_POWER,
                   "power p"), "power -2");
    memcpy(bad, s, sizeof bad); bad[N + 2] = NAN;
    check(error_is(softsortkit_softsort_forward_f64(bad, B, N, 1, 1, 0, P, NULL), SOFTSORTKIT_ERROR_NON_FINITE,
                   "row 1, column 2 is not finite"), "NaN score");
    check(error_is(softsortkit_softsort_forward_f64(s, -1, N, 1, 1, 0, P, NULL), SOFTSORTKIT_ERROR_INVALID_SHAPE,
                   "batch = -1"), "negative batch");
    check(error_is(softsortkit_softsort_forward_f64(s, (int64_t)1 << 40, (int64_t)1 << 20, 1, 1, 0, P, NULL),
                   SOFTSORTKIT_ERROR_INVALID_SHAPE, "overflow"), "overflowing shape");
    check(error_is(softsortkit_softsort_forward_f64(NULL, B, N, 1, 1, 0, P, NULL), SOFTSORTKIT_ERROR_NULL_POINTER,
                   "scores"), "NULL scores");
    check(softsortkit_softsort_forward_f64(NULL, 0, N, 1, 1, 0, NULL, NULL) == 0, "NULL with zero elements is fine");
    check(error_is(softsortkit_softsort_forward_f64(s, B, N, 1, 1, 7, P, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT,
                   "direction = 7"), "bad direction");
    memcpy(wrong, targets, sizeof wrong); wrong[5] = N;
    check(error_is(softsortkit_softsort_cross_entropy_f64(s, wrong, B, N, 1, 1, 0, 0, &loss, g, NULL),
                   SOFTSORTKIT_ERROR_INDEX_OUT_OF_RANGE, "targets[5] = 9 is outside 0 ..< 9"), "target out of range (exact)");
    check(error_is(softsortkit_softsort_cross_entropy_f64(s, wrong, B, N, 1, 2, 0, 0, &loss, g, NULL),
                   SOFTSORTKIT_ERROR_INDEX_OUT_OF_RANGE, "targets[5] = 9"), "target out of range (dense)");
    check(error_is(softsortkit_softsort_cross_entropy_f64(s, targets, B, N, 1, 2, 0, SOFTSORTKIT_PATH_EXACT, &loss, g, NULL),
                   SOFTSORTKIT_ERROR_UNSUPPORTED, "loss path 'exact' cannot run here"), "exact path with p = 2");
    check(error_is(softsortkit_softsort_cross_entropy_f64(s, targets, B, N, 1, 2, 0, 9, &loss, g, NULL),
                   SOFTSORTKIT_ERROR_INVALID_ARGUMENT, "path = 9"), "unknown path");
    /* P[b, i, t] far below double's range: log P and the gradient are still finite on every path */
    double spread[B * N], grads[2][B * N], losses[2];
    int64_t identity[B * N];
    for (int e = 0; e < B * N; e++) spread[e] = (e % N) * 100.0, identity[e] = e % N; /* row 0 picks column 0 */
    int finite = 1;
    for (int k = 0; k < 2; k++) {
        int path = k ? SOFTSORTKIT_PATH_FUSED : SOFTSORTKIT_PATH_DENSE;
        finite &= softsortkit_softsort_cross_entropy_f64(spread, identity, B, N, 0.01, 2, 0, path, &losses[k], grads[k], NULL) == 0;
        for (int e = 0; e < B * N; e++) finite &= isfinite(grads[k][e]);
    }
    /* row i of a row: the sorted value (8 - i) * 100 against column i's i * 100: (8 - 2i)^2 1e4 / 0.01 each */
    double expected = 0;
    for (int i = 0; i < N; i++) expected += B * (8.0 - 2 * i) * (8.0 - 2 * i) * 1e4 / 0.01;
    check(finite && fabs(losses[0] - expected) < 1e-9 * expected && fabs(losses[1] - expected) < 1e-9 * expected &&
          diff(grads[0], grads[1], B * N) < 1e-9, "far-off targets: finite loss and gradient, dense = fused");
    check(error_is(softsortkit_set_threads(-1), SOFTSORTKIT_ERROR_INVALID_THREAD_COUNT, "threads must be"), "threads -1");
    check(error_is(softsortkit_set_backend(42), SOFTSORTKIT_ERROR_INVALID_ARGUMENT, "backend = 42"), "backend 42");
}

static void test_settings(void) {
    static double P1[B * N * N], P2[B * N * N];
    int32_t backend = -1;
    check(softsortkit_abi_version() == SOFTSORTKIT_ABI_VERSION, "ABI version matches the header");
    check(strlen(softsortkit_version()) >= 5, "version string");
    check(softsortkit_set_threads(1) == 0 && softsortkit_threads() == 1, "set threads 1");
    softsortkit_softsort_forward_f64(s, B, N, 0.3, 2, 0, P1, NULL);
    check(softsortkit_set_threads(3) == 0 && softsortkit_threads() == 3, "set threads 3");
    softsortkit_softsort_forward_f64(s, B, N, 0.3, 2, 0, P2, NULL);
    check(memcmp(P1, P2, sizeof P1) == 0, "bitwise identical for 1 and 3 threads");
    check(softsortkit_set_threads(0) == 0 && softsortkit_threads() >= 1, "default threads");
    check(softsortkit_backend_available(SOFTSORTKIT_BACKEND_SCALAR) == 1, "scalar is available");
    check(softsortkit_set_backend(SOFTSORTKIT_BACKEND_SCALAR) == 0 && softsortkit_backend(&backend) == 0 &&
          backend == SOFTSORTKIT_BACKEND_SCALAR, "set backend scalar");
    static double ref[B * N * N];
    ref_matrices(0, s, B, N, 0.3, 2, 0, ref);
    check(softsortkit_softsort_forward_f64(s, B, N, 0.3, 2, 0, P1, NULL) == 0 && diff(P1, ref, B * N * N) < 1e-12,
          "scalar backend forward");
    check(softsortkit_set_backend(SOFTSORTKIT_BACKEND_DEFAULT) == 0 && softsortkit_backend(&backend) == 0 &&
          backend != SOFTSORTKIT_BACKEND_DEFAULT, "default backend resolves");
    softsortkit_release_scratch();
}

int main(void) {
    make_inputs();
    test_settings();
    for (int neural = 0; neural <= 1; neural++) {
        test_matrices(neural, 1);
        if (!neural) test_matrices(0, 2), test_matrices(0, 1.5);
    }
    test_ascending();
    test_apply(1);
    test_apply(2);
    test_cross_entropy(1, SOFTSORTKIT_PATH_AUTOMATIC, SOFTSORTKIT_PATH_EXACT);
    test_cross_entropy(1, SOFTSORTKIT_PATH_DENSE, SOFTSORTKIT_PATH_DENSE);
    test_cross_entropy(2, SOFTSORTKIT_PATH_DENSE, SOFTSORTKIT_PATH_DENSE);
    test_cross_entropy(2, SOFTSORTKIT_PATH_AUTOMATIC, SOFTSORTKIT_PATH_GAUSS);
    test_cross_entropy(2, SOFTSORTKIT_PATH_GAUSS, SOFTSORTKIT_PATH_GAUSS);
    test_cross_entropy(2, SOFTSORTKIT_PATH_FUSED, SOFTSORTKIT_PATH_FUSED);
    test_cross_entropy(1.5, SOFTSORTKIT_PATH_FUSED, SOFTSORTKIT_PATH_FUSED);
    test_cross_entropy(1, SOFTSORTKIT_PATH_FUSED, SOFTSORTKIT_PATH_FUSED);
    test_sorted_and_ranks(1);
    test_sorted_and_ranks(2);
    test_errors();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
