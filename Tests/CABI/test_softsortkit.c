/*
 * The C ABI's test program: calls every function of softsortkit.h and checks
 * it against plain double references (reference.c: the definitions, central
 * finite differences for the backwards), the path each output reports, and
 * the error codes and messages.
 *
 *   cc -std=c11 -O1 -Iinclude Tests/CABI/test_softsortkit.c Tests/CABI/reference.c \
 *      -L DIR -lsoftsortkit -Wl,-rpath,DIR -lm
 *
 * Prints one line per failed check and "N passed, M failed"; exits non-zero on a failure.
 */
#include "softsortkit.h"
#include "reference.h"

#include <math.h>
#include <stddef.h>
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

static const char *path_name(int path) {
    static const char *names[] = {"automatic", "dense", "fused", "exact", "gauss", "window-ranks", "window-tolerance"};
    return path >= 0 && path <= 6 ? names[path] : "?";
}

/* What AUTOMATIC may run: the cost table measured on the machine picks among the paths that
 * compute the output exactly, so the test asks for one of those, never automatic or a window. */
#define ANY_EXACT_PATH (-1)

static int path_matches(int32_t used, int expected) {
    if (expected != ANY_EXACT_PATH) return used == expected;
    return used == SOFTSORTKIT_PATH_DENSE || used == SOFTSORTKIT_PATH_FUSED || used == SOFTSORTKIT_PATH_EXACT ||
           used == SOFTSORTKIT_PATH_GAUSS;
}

static softsortkit_options options(int method, double tau, double p, int path) {
    softsortkit_options o;
    softsortkit_options_init(&o);
    o.method = method;
    o.temperature = tau;
    o.power = p;
    o.path = path;
    return o;
}

/* ---- the inputs -------------------------------------------------------- */

static double s[B * N], v[B * N * D], gm[B * N * N], gv[B * N * D], gr[B * N], matches[B * N];
static int64_t targets[B * N];

static void make_inputs(void) {
    unsigned state = 12345;
    for (int e = 0; e < B * N; e++) {
        /* distinct scores, at least 0.05 apart: no tie within a finite-difference step */
        s[e] = (e % N) * 0.13 + 0.05 * ((e * 7) % 5) - 0.4 * (e / N);
        targets[e] = (e * 4 + e / N) % N;
        matches[e] = (e * 5) % 3 == 0;
        state = state * 1103515245u + 12345u; gr[e] = ((state >> 8) % 2000) / 1000.0 - 1;
    }
    for (int e = 0; e < B * N * D; e++) { state = state * 1103515245u + 12345u; v[e] = ((state >> 8) % 2000) / 1000.0 - 1; gv[e] = sin(e); }
    for (int e = 0; e < B * N * N; e++) gm[e] = cos(0.7 * e);
}

/* ---- options, settings -------------------------------------------------- */

static void test_options_init(void) {
    softsortkit_options o;
    memset(&o, 0xff, sizeof o);
    softsortkit_options_init(&o);
    check(o.method == SOFTSORTKIT_METHOD_SOFTSORT && o.direction == SOFTSORTKIT_DESCENDING &&
          o.path == SOFTSORTKIT_PATH_AUTOMATIC && o.window_width == 0 && o.temperature == 1 && o.power == 1 &&
          o.window_tolerance == 0 && o.accuracy == 0, "options_init defaults");
    check(sizeof(softsortkit_options) == 48 && offsetof(softsortkit_options, window_width) == 12 &&
          offsetof(softsortkit_options, power) == 24 && offsetof(softsortkit_options, window_tolerance) == 32,
          "options layout: 48 bytes, no padding");
    softsortkit_options_init(NULL); /* does nothing */
}

static void test_settings(void) {
    static double P1[B * N * N], P2[B * N * N], ref[B * N * N];
    int32_t backend = -1;
    softsortkit_options o = options(0, 0.3, 2, SOFTSORTKIT_PATH_DENSE);
    check(softsortkit_abi_version() == SOFTSORTKIT_ABI_VERSION && SOFTSORTKIT_ABI_VERSION == 2, "ABI version 2 matches the header");
    check(strlen(softsortkit_version()) >= 5, "version string");
    check(softsortkit_set_threads(1) == 0 && softsortkit_threads() == 1, "set threads 1");
    softsortkit_matrices_f64(&o, s, B, N, P1, NULL);
    check(softsortkit_set_threads(3) == 0 && softsortkit_threads() == 3, "set threads 3");
    softsortkit_matrices_f64(&o, s, B, N, P2, NULL);
    check(memcmp(P1, P2, sizeof P1) == 0, "bitwise identical for 1 and 3 threads");
    check(softsortkit_set_threads(0) == 0 && softsortkit_threads() >= 1, "default threads");
    check(softsortkit_backend_available(SOFTSORTKIT_BACKEND_SCALAR) == 1, "scalar is available");
    check(softsortkit_set_backend(SOFTSORTKIT_BACKEND_SCALAR) == 0 && softsortkit_backend(&backend) == 0 &&
          backend == SOFTSORTKIT_BACKEND_SCALAR, "set backend scalar");
    ref_matrices(0, s, B, N, 0.3, 2, 0, ref);
    check(softsortkit_matrices_f64(&o, s, B, N, P1, NULL) == 0 && diff(P1, ref, B * N * N) < 1e-12,
          "scalar backend forward");
    check(softsortkit_set_backend(SOFTSORTKIT_BACKEND_DEFAULT) == 0 && softsortkit_backend(&backend) == 0 &&
          backend != SOFTSORTKIT_BACKEND_DEFAULT, "default backend resolves");
    softsortkit_release_scratch();
}

/* ---- the matrices and the permutation ----------------------------------- */

static void test_matrices(int neural, double p, int path) {
    const double tau = 0.3;
    static double P[B * N * N], ref[B * N * N], g[B * N], gref[B * N], gd[B * N * N];
    static float Pf[B * N * N], sf[B * N], gf[B * N], gmf[B * N * N];
    softsortkit_options o = options(neural, tau, p, path);
    int32_t used = -1, used_back = -1;
    char what[128];
    const char *name = neural ? "neuralsort" : "softsort";
    int rc = softsortkit_matrices_f64(&o, s, B, N, P, &used);
    ref_matrices(neural, s, B, N, tau, p, 0, ref);
    snprintf(what, sizeof what, "%s p=%g %s matrices f64, path dense", name, p, path_name(path));
    check(rc == 0 && diff(P, ref, B * N * N) < 1e-12 && used == SOFTSORTKIT_PATH_DENSE, what);

    to_float(s, sf, B * N);
    rc = softsortkit_matrices_f32(&o, sf, B, N, Pf, NULL);
    to_double(Pf, gd, B * N * N);
    snprintf(what, sizeof what, "%s p=%g matrices f32", name, p);
    check(rc == 0 && diff(gd, ref, B * N * N) < 1e-5, what);

    rc = softsortkit_matrices_backward_f64(&o, s, B, N, gm, g, &used_back);
    numeric_gradient(neural ? MATRICES_NEURAL : MATRICES_SOFT, s, v, gm, targets, tau, p, gref);
    snprintf(what, sizeof what, "%s p=%g matrices backward f64 vs finite differences", name, p);
    check(rc == 0 && diff(g, gref, B * N) < 1e-6 && used_back == SOFTSORTKIT_PATH_DENSE, what);

    to_float(gm, gmf, B * N * N);
    rc = softsortkit_matrices_backward_f32(&o, sf, B, N, gmf, gf, NULL);
    to_double(gf, gd, B * N);
    snprintf(what, sizeof what, "%s p=%g matrices backward f32", name, p);
    check(rc == 0 && diff(gd, g, B * N) < 1e-3, what);
}

static void test_permutation_and_ascending(void) {
    static double P[B * N * N], ref[B * N * N];
    float sf[B * N];
    int64_t perm[B * N], permf[B * N];
    softsortkit_options o = options(0, 0.2, 1.5, SOFTSORTKIT_PATH_AUTOMATIC);
    int ok = softsortkit_permutation_f64(&o, s, B, N, perm) == 0;
    for (int r = 0; r < B; r++)
        for (int i = 1; i < N; i++) ok &= s[r * N + perm[r * N + i - 1]] > s[r * N + perm[r * N + i]];
    check(ok, "permutation f64 sorts each row descending");
    to_float(s, sf, B * N);
    check(softsortkit_permutation_f32(&o, sf, B, N, permf) == 0 && memcmp(perm, permf, sizeof perm) == 0,
          "permutation f32");
    o.direction = SOFTSORTKIT_ASCENDING;
    int rc = softsortkit_permutation_f64(&o, s, B, N, perm);
    check(rc == 0 && s[perm[0]] < s[perm[1]], "permutation ascending");
    rc = softsortkit_matrices_f64(&o, s, B, N, P, NULL);
    ref_matrices(0, s, B, N, 0.2, 1.5, 1, ref);
    check(rc == 0 && diff(P, ref, B * N * N) < 1e-12, "matrices ascending");
}

/* ---- the products -------------------------------------------------------- */

/* the export of a product kind (APPLY_S, APPLY_T_S, TOP_K_S, QUANTILES_S), in f64 and f32 */
static int product_f64(int kind, const softsortkit_options *o, const double *x, const double *values, double *out,
                       int32_t *used) {
    switch (kind) {
    case APPLY_S: return softsortkit_apply_f64(o, x, B, N, values, D, out, used);
    case APPLY_T_S: return softsortkit_apply_transposed_f64(o, x, B, N, values, D, out, used);
    case TOP_K_S: return softsortkit_top_k_f64(o, x, B, N, K, values, D, out, used);
    default: return softsortkit_quantiles_f64(o, x, B, N, LEVELS, L, values, D, out, used);
    }
}

static int product_f32(int kind, const softsortkit_options *o, const float *x, const float *values, float *out) {
    switch (kind) {
    case APPLY_S: return softsortkit_apply_f32(o, x, B, N, values, D, out, NULL);
    case APPLY_T_S: return softsortkit_apply_transposed_f32(o, x, B, N, values, D, out, NULL);
    case TOP_K_S: return softsortkit_top_k_f32(o, x, B, N, K, values, D, out, NULL);
    default: return softsortkit_quantiles_f32(o, x, B, N, LEVELS, L, values, D, out, NULL);
    }
}

static int product_backward_f64(int kind, const softsortkit_options *o, const double *g, double *gs, double *gvals,
                                int32_t *used) {
    switch (kind) {
    case APPLY_S: return softsortkit_apply_backward_f64(o, s, B, N, v, D, g, gs, gvals, used);
    case APPLY_T_S: return softsortkit_apply_transposed_backward_f64(o, s, B, N, v, D, g, gs, gvals, used);
    case TOP_K_S: return softsortkit_top_k_backward_f64(o, s, B, N, K, v, D, g, gs, gvals, used);
    default: return softsortkit_quantiles_backward_f64(o, s, B, N, LEVELS, L, v, D, g, gs, gvals, used);
    }
}

static int product_backward_f32(int kind, const softsortkit_options *o, const float *x, const float *values,
                                const float *g, float *gs, float *gvals) {
    switch (kind) {
    case APPLY_S: return softsortkit_apply_backward_f32(o, x, B, N, values, D, g, gs, gvals, NULL);
    case APPLY_T_S: return softsortkit_apply_transposed_backward_f32(o, x, B, N, values, D, g, gs, gvals, NULL);
    case TOP_K_S: return softsortkit_top_k_backward_f32(o, x, B, N, K, values, D, g, gs, gvals, NULL);
    default: return softsortkit_quantiles_backward_f32(o, x, B, N, LEVELS, L, values, D, g, gs, gvals, NULL);
    }
}

static void test_product(int kind, double p, int path, int expected) {
    const double tau = 0.25;
    static const char *names[] = {[APPLY_S] = "apply", [APPLY_T_S] = "apply_transposed", [TOP_K_S] = "top_k",
                                  [QUANTILES_S] = "quantiles"};
    static double y[B * N * D], ref[B * N * D], g[B * N], gvals[B * N * D], nref[B * N * D], yd[B * N * D];
    static float sf[B * N], vf[B * N * D], yf[B * N * D], gvf[B * N * D], gf[B * N], gvalf[B * N * D];
    softsortkit_options o = options(0, tau, p, path);
    int32_t used = -1, used_back = -1;
    char what[160];
    int64_t k = ref_output(kind, s, v, targets, tau, p, ref);
    double tolerance = expected == SOFTSORTKIT_PATH_GAUSS || expected == ANY_EXACT_PATH ? 1e-10 : 1e-12;
    int rc = product_f64(kind, &o, s, v, y, &used);
    snprintf(what, sizeof what, "%s p=%g path %s f64: values, path %s", names[kind], p, path_name(path), path_name(expected));
    check(rc == 0 && diff(y, ref, k) < tolerance && path_matches(used, expected), what);

    to_float(s, sf, B * N); to_float(v, vf, B * N * D); to_float(gv, gvf, k);
    rc = product_f32(kind, &o, sf, vf, yf);
    to_double(yf, yd, k);
    snprintf(what, sizeof what, "%s p=%g path %s f32", names[kind], p, path_name(path));
    check(rc == 0 && diff(yd, ref, k) < 1e-5, what);

    rc = product_backward_f64(kind, &o, gv, g, gvals, &used_back);
    numeric_gradient(kind, s, v, gv, targets, tau, p, nref);
    snprintf(what, sizeof what, "%s p=%g path %s backward dL/ds f64", names[kind], p, path_name(path));
    check(rc == 0 && diff(g, nref, B * N) < 1e-6 && path_matches(used_back, expected), what);
    numeric_gradient(kind + 1, s, v, gv, targets, tau, p, nref);
    snprintf(what, sizeof what, "%s p=%g path %s backward dL/dV f64", names[kind], p, path_name(path));
    check(rc == 0 && diff(gvals, nref, B * N * D) < 1e-6, what);

    rc = product_backward_f32(kind, &o, sf, vf, gvf, gf, gvalf);
    double gd[B * N]; to_double(gf, gd, B * N);
    snprintf(what, sizeof what, "%s p=%g path %s backward f32", names[kind], p, path_name(path));
    check(rc == 0 && diff(gd, g, B * N) < 1e-3, what);
    double again[B * N];
    rc = product_backward_f64(kind, &o, gv, again, NULL, NULL);
    snprintf(what, sizeof what, "%s backward with grad_values and path_used NULL", names[kind]);
    check(rc == 0 && memcmp(again, g, sizeof again) == 0, what);
}

/* ---- sorted values, ranks, normalizers ---------------------------------- */

static void test_sorted_and_ranks(double p, int path, int expected) {
    const double tau = 0.2;
    double out[B * N], ref[B * N], g[B * N], gref[B * N], od[B * N], gd[B * N];
    float sf[B * N], outf[B * N], grf[B * N], gf[B * N];
    softsortkit_options o = options(0, tau, p, path);
    char what[128];
    to_float(s, sf, B * N); to_float(gr, grf, B * N);
    for (int ranks = 0; ranks <= 1; ranks++) {
        const char *name = ranks ? "ranks" : "sorted_values";
        int32_t used = -1, used_back = -1;
        double tolerance = expected == SOFTSORTKIT_PATH_GAUSS || expected == ANY_EXACT_PATH ? 1e-10 : 1e-12;
        ref_output(ranks ? RANKS : SORTED, s, v, targets, tau, p, ref);
        int rc = ranks ? softsortkit_ranks_f64(&o, s, B, N, out, &used)
                       : softsortkit_sorted_values_f64(&o, s, B, N, out, &used);
        snprintf(what, sizeof what, "%s p=%g path %s f64: values, path %s", name, p, path_name(path), path_name(expected));
        check(rc == 0 && diff(out, ref, B * N) < tolerance && path_matches(used, expected), what);
        rc = ranks ? softsortkit_ranks_f32(&o, sf, B, N, outf, NULL)
                   : softsortkit_sorted_values_f32(&o, sf, B, N, outf, NULL);
        to_double(outf, od, B * N);
        snprintf(what, sizeof what, "%s p=%g path %s f32", name, p, path_name(path));
        check(rc == 0 && diff(od, ref, B * N) < 1e-5, what);
        rc = ranks ? softsortkit_ranks_backward_f64(&o, s, B, N, gr, g, &used_back)
                   : softsortkit_sorted_values_backward_f64(&o, s, B, N, gr, g, &used_back);
        numeric_gradient(ranks ? RANKS : SORTED, s, v, gr, targets, tau, p, gref);
        snprintf(what, sizeof what, "%s p=%g path %s backward f64 vs finite differences", name, p, path_name(path));
        check(rc == 0 && diff(g, gref, B * N) < 1e-6 && path_matches(used_back, expected), what);
        rc = ranks ? softsortkit_ranks_backward_f32(&o, sf, B, N, grf, gf, NULL)
                   : softsortkit_sorted_values_backward_f32(&o, sf, B, N, grf, gf, NULL);
        to_double(gf, gd, B * N);
        snprintf(what, sizeof what, "%s p=%g path %s backward f32", name, p, path_name(path));
        check(rc == 0 && diff(gd, g, B * N) < 1e-3, what);
    }
}

/* A sorted values or ranks forward keeps its result for the backward that follows: that
 * backward must give the bits of one computed anew (after another call dropped what was kept),
 * and a backward on other scores or options than the forward's must not use it. */
static void test_kept_values(double p, int path) {
    double out[B * N], hit[B * N], fresh[B * N], other[B * N], moved[B * N], hotter[B * N], z[B * N];
    double s2[B * N];
    softsortkit_options o = options(0, 0.2, p, path), hot = options(0, 0.7, p, path);
    char what[160];
    memcpy(s2, s, sizeof s2);
    s2[3] += 0.01;
    for (int ranks = 0; ranks <= 1; ranks++) {
        const char *name = ranks ? "ranks" : "sorted_values";
#define FORWARD(opt, x) (ranks ? softsortkit_ranks_f64(&(opt), x, B, N, out, NULL) \
                               : softsortkit_sorted_values_f64(&(opt), x, B, N, out, NULL))
#define BACKWARD(opt, x, g) (ranks ? softsortkit_ranks_backward_f64(&(opt), x, B, N, gr, g, NULL) \
                                   : softsortkit_sorted_values_backward_f64(&(opt), x, B, N, gr, g, NULL))
#define DROP() softsortkit_cross_entropy_f64(&o, s, B, N, targets, z, NULL, NULL)
        int rc = FORWARD(o, s) | BACKWARD(o, s, hit) | DROP() | BACKWARD(o, s, fresh);
        snprintf(what, sizeof what, "%s p=%g path %s: the kept forward's backward has a new forward's bits",
                 name, p, path_name(path));
        check(rc == 0 && memcmp(hit, fresh, sizeof hit) == 0, what);
        rc = DROP() | BACKWARD(o, s2, other) | FORWARD(o, s) | BACKWARD(o, s2, moved);
        snprintf(what, sizeof what, "%s p=%g path %s: a backward on other scores does not use the kept forward",
                 name, p, path_name(path));
        check(rc == 0 && memcmp(other, moved, sizeof other) == 0 && memcmp(other, fresh, sizeof other) != 0, what);
        rc = DROP() | BACKWARD(hot, s, other) | FORWARD(o, s) | BACKWARD(hot, s, hotter);
        snprintf(what, sizeof what, "%s p=%g path %s: a backward with other options does not use the kept forward",
                 name, p, path_name(path));
        check(rc == 0 && memcmp(other, hotter, sizeof other) == 0 && memcmp(other, fresh, sizeof other) != 0, what);
#undef FORWARD
#undef BACKWARD
#undef DROP
    }
}

static void test_log_normalizers(double p, int path, int expected) {
    double out[B * N], ref[B * N], od[B * N];
    float sf[B * N], outf[B * N];
    softsortkit_options o = options(0, 0.4, p, path);
    int32_t used = -1;
    char what[128];
    ref_log_normalizers(s, 0.4, p, ref);
    int rc = softsortkit_log_normalizers_f64(&o, s, B, N, out, &used);
    snprintf(what, sizeof what, "log_normalizers p=%g path %s f64: values, path %s", p, path_name(path), path_name(expected));
    check(rc == 0 && diff(out, ref, B * N) < 1e-12 && path_matches(used, expected), what);
    to_float(s, sf, B * N);
    rc = softsortkit_log_normalizers_f32(&o, sf, B, N, outf, NULL);
    to_double(outf, od, B * N);
    snprintf(what, sizeof what, "log_normalizers p=%g f32", p);
    check(rc == 0 && diff(od, ref, B * N) < 1e-5, what);
}

/* ---- the losses ---------------------------------------------------------- */

static void test_loss(int kind, int method, double p, int path, int expected) {
    const double tau = 0.5;
    const char *name = kind == CROSS_ENTROPY ? "cross_entropy" : "nearest_neighbor_loss";
    double loss, ref, g[B * N], gref[B * N], gd[B * N];
    float lossf, sf[B * N], mf[B * N], gf[B * N];
    softsortkit_options o = options(method, tau, p, path);
    int32_t used = -1;
    char what[160];
    int reference = kind == CROSS_ENTROPY && method ? CROSS_ENTROPY_NEURAL : kind;
    ref = objective(reference, s, matches, NULL, targets, tau, p);
    numeric_gradient(reference, s, matches, NULL, targets, tau, p, gref);
    int rc = kind == CROSS_ENTROPY ? softsortkit_cross_entropy_f64(&o, s, B, N, targets, &loss, g, &used)
                                   : softsortkit_nearest_neighbor_loss_f64(&o, s, B, N, matches, K, &loss, g, &used);
    snprintf(what, sizeof what, "%s %s p=%g path %s f64: loss, gradient, path %s", name, method ? "neuralsort" : "softsort",
             p, path_name(path), path_name(expected));
    check(rc == 0 && fabs(loss - ref) < 1e-10 * (1 + fabs(ref)) && diff(g, gref, B * N) < 1e-6 &&
          path_matches(used, expected), what);
    to_float(s, sf, B * N); to_float(matches, mf, B * N);
    rc = kind == CROSS_ENTROPY ? softsortkit_cross_entropy_f32(&o, sf, B, N, targets, &lossf, gf, NULL)
                               : softsortkit_nearest_neighbor_loss_f32(&o, sf, B, N, mf, K, &lossf, gf, NULL);
    to_double(gf, gd, B * N);
    snprintf(what, sizeof what, "%s p=%g path %s f32", name, p, path_name(path));
    check(rc == 0 && fabs(lossf - ref) < 1e-4 * (1 + fabs(ref)) && diff(gd, g, B * N) < 1e-3, what);
    rc = kind == CROSS_ENTROPY ? softsortkit_cross_entropy_f64(&o, s, B, N, targets, &loss, NULL, NULL)
                               : softsortkit_nearest_neighbor_loss_f64(&o, s, B, N, matches, K, &loss, NULL, NULL);
    snprintf(what, sizeof what, "%s p=%g path %s: the loss alone", name, p, path_name(path));
    check(rc == 0 && fabs(loss - ref) < 1e-10 * (1 + fabs(ref)), what);
}

/* ---- errors -------------------------------------------------------------- */

static int error_is(int rc, int code, const char *fragment) {
    return rc == code && strstr(softsortkit_last_error(), fragment) != NULL;
}

static void test_errors(void) {
    static double P[B * N * N];
    double loss, g[B * N], bad[B * N], out[B * N * D];
    int64_t wrong[B * N];
    int32_t used = 99;
    softsortkit_options o = options(0, 0, 1, SOFTSORTKIT_PATH_AUTOMATIC);
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_TEMPERATURE,
                   "temperature must be finite and > 0"), "temperature 0");
    o = options(0, 1, -2, SOFTSORTKIT_PATH_AUTOMATIC);
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_POWER, "power p"), "power -2");
    o = options(0, 1, 1, SOFTSORTKIT_PATH_AUTOMATIC);
    memcpy(bad, s, sizeof bad); bad[N + 2] = NAN;
    check(error_is(softsortkit_sorted_values_f64(&o, bad, B, N, g, NULL), SOFTSORTKIT_ERROR_NON_FINITE,
                   "row 1, column 2 is not finite"), "NaN score");
    check(error_is(softsortkit_matrices_f64(&o, s, -1, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_SHAPE, "batch = -1"),
          "negative batch");
    check(error_is(softsortkit_matrices_f64(&o, s, (int64_t)1 << 40, (int64_t)1 << 30, P, NULL),
                   SOFTSORTKIT_ERROR_INVALID_SHAPE, "overflow"), "overflowing shape");
    check(error_is(softsortkit_apply_f64(&o, s, B, N, v, -3, out, NULL), SOFTSORTKIT_ERROR_INVALID_SHAPE,
                   "dimension = -3"), "negative dimension");
    check(error_is(softsortkit_matrices_f64(&o, NULL, B, N, P, NULL), SOFTSORTKIT_ERROR_NULL_POINTER, "scores"),
          "NULL scores");
    check(error_is(softsortkit_matrices_f64(NULL, s, B, N, P, NULL), SOFTSORTKIT_ERROR_NULL_POINTER, "options"),
          "NULL options");
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, NULL, NULL), SOFTSORTKIT_ERROR_NULL_POINTER, "matrices"),
          "NULL matrices");
    check(error_is(softsortkit_apply_backward_f64(&o, s, B, N, v, D, NULL, g, NULL, NULL), SOFTSORTKIT_ERROR_NULL_POINTER,
                   "grad_output"), "NULL grad_output");
    check(error_is(softsortkit_cross_entropy_f64(&o, s, B, N, targets, NULL, g, NULL), SOFTSORTKIT_ERROR_NULL_POINTER,
                   "loss"), "NULL loss");
    check(softsortkit_matrices_f64(&o, NULL, 0, N, NULL, &used) == 0 && used == SOFTSORTKIT_PATH_DENSE,
          "NULL with zero elements is fine");
    o.direction = 7;
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT,
                   "direction = 7"), "bad direction");
    o = options(2, 1, 1, SOFTSORTKIT_PATH_AUTOMATIC);
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT, "method = 2"),
          "bad method");
    o = options(0, 1, 1, 9);
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT, "path = 9"),
          "bad path");
    o = options(0, 1, 1, SOFTSORTKIT_PATH_WINDOW_RANKS);
    o.window_width = -1;
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT,
                   "window width must be >= 0, got -1"), "negative window width");
    o = options(0, 1, 1, SOFTSORTKIT_PATH_WINDOW_TOLERANCE);
    check(error_is(softsortkit_matrices_f64(&o, s, B, N, P, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT,
                   "tolerance = 0.0"), "window tolerance 0");
    o = options(0, 1, 2, SOFTSORTKIT_PATH_GAUSS);
    o.accuracy = 0.5;
    check(error_is(softsortkit_sorted_values_f64(&o, s, B, N, g, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT,
                   "accuracy = 0.5"), "gauss accuracy 0.5");
    o = options(0, 1, 1, SOFTSORTKIT_PATH_AUTOMATIC);
    check(error_is(softsortkit_top_k_f64(&o, s, B, N, N + 1, v, D, out, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT,
                   "k = 10"), "top-k k > n");
    const double level = 1.5;
    check(error_is(softsortkit_quantiles_f64(&o, s, B, N, &level, 1, v, D, out, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT,
                   "q = 1.5"), "quantile level 1.5");
    check(error_is(softsortkit_nearest_neighbor_loss_f64(&o, s, B, N, matches, 0, &loss, g, NULL),
                   SOFTSORTKIT_ERROR_INVALID_ARGUMENT, "k = 0"), "kNN k = 0");
    memcpy(wrong, targets, sizeof wrong); wrong[5] = N;
    check(error_is(softsortkit_cross_entropy_f64(&o, s, B, N, wrong, &loss, g, NULL),
                   SOFTSORTKIT_ERROR_INDEX_OUT_OF_RANGE, "targets[5] = 9 is outside 0 ..< 9"), "target out of range");

    /* paths that cannot compute an output, or cannot run with the options */
    struct { int method; double p; int path; int output; const char *fragment; } unsupported[] = {
        {0, 2, SOFTSORTKIT_PATH_EXACT, 0, "'exact' cannot run here"},
        {0, 1, SOFTSORTKIT_PATH_GAUSS, 0, "'gauss' cannot run here"},
        {1, 1, SOFTSORTKIT_PATH_EXACT, 0, "NeuralSort runs on the dense and fused paths only"},
        {0, 1, SOFTSORTKIT_PATH_FUSED, 0, "the fused path never stores P"},
        {0, 1, SOFTSORTKIT_PATH_EXACT, 0, "this path never forms P"},
        {0, 1, SOFTSORTKIT_PATH_FUSED, 1, "the fused rows give P V, not P^T U"},
        {0, 1, SOFTSORTKIT_PATH_FUSED, 2, "the fused rows give P V, not P^T U"},
        {0, 1, SOFTSORTKIT_PATH_DENSE, 3, "the normalizers are kept by the exact"},
        {0, 1.5, SOFTSORTKIT_PATH_AUTOMATIC, 3, "needs p = 1 (.exact) or p = 2 (.gauss)"},
        {0, 1, SOFTSORTKIT_PATH_WINDOW_RANKS, 4, "the window drops the entries outside it"},
        {1, 1, SOFTSORTKIT_PATH_FUSED, 5, "NeuralSort's fused path has the cross-entropy only"},
    };
    for (size_t c = 0; c < sizeof unsupported / sizeof unsupported[0]; c++) {
        o = options(unsupported[c].method, 1, unsupported[c].p, unsupported[c].path);
        o.window_width = 2;
        int rc;
        switch (unsupported[c].output) {
        case 0: rc = softsortkit_matrices_f64(&o, s, B, N, P, &used); break;
        case 1: rc = softsortkit_apply_transposed_f64(&o, s, B, N, v, D, out, &used); break;
        case 2: rc = softsortkit_ranks_backward_f64(&o, s, B, N, gr, g, &used); break;
        case 3: rc = softsortkit_log_normalizers_f64(&o, s, B, N, out, &used); break;
        case 4: rc = softsortkit_cross_entropy_f64(&o, s, B, N, targets, &loss, g, &used); break;
        default: rc = softsortkit_sorted_values_f64(&o, s, B, N, out, &used); break;
        }
        char what[160];
        snprintf(what, sizeof what, "unsupported path %s for output %d (p=%g, method %d)", path_name(unsupported[c].path),
                 unsupported[c].output, unsupported[c].p, unsupported[c].method);
        check(error_is(rc, SOFTSORTKIT_ERROR_UNSUPPORTED_PATH, unsupported[c].fragment), what);
    }

    /* P[b, i, t] far below double's range: log P and the gradient are still finite on every path */
    double spread[B * N], grads[2][B * N], losses[2];
    int64_t identity[B * N];
    for (int e = 0; e < B * N; e++) spread[e] = (e % N) * 100.0, identity[e] = e % N; /* row 0 picks column 0 */
    int finite = 1;
    for (int k = 0; k < 2; k++) {
        o = options(0, 0.01, 2, k ? SOFTSORTKIT_PATH_FUSED : SOFTSORTKIT_PATH_DENSE);
        finite &= softsortkit_cross_entropy_f64(&o, spread, B, N, identity, &losses[k], grads[k], NULL) == 0;
        for (int e = 0; e < B * N; e++) finite &= isfinite(grads[k][e]);
    }
    /* row i of a row: the sorted value (8 - i) * 100 against column i's i * 100: (8 - 2i)^2 1e4 / 0.01 each */
    double expected = 0;
    for (int i = 0; i < N; i++) expected += B * (8.0 - 2 * i) * (8.0 - 2 * i) * 1e4 / 0.01;
    check(finite && fabs(losses[0] - expected) < 1e-9 * expected && fabs(losses[1] - expected) < 1e-9 * expected &&
          diff(grads[0], grads[1], B * N) < 1e-9, "far-off targets: finite loss and gradient, dense = fused");
    check(error_is(softsortkit_set_threads(-1), SOFTSORTKIT_ERROR_INVALID_THREAD_COUNT, "threads must be"), "threads -1");
    check(error_is(softsortkit_set_threads(INT32_MAX), SOFTSORTKIT_ERROR_INVALID_THREAD_COUNT, "threads must be"),
          "threads INT32_MAX");
    /* extreme integers: typed errors before anything is allocated or scheduled */
    o = options(0, 1, 1, SOFTSORTKIT_PATH_AUTOMATIC);
    check(error_is(softsortkit_matrices_f64(&o, s, 0, INT64_MAX, P, NULL), SOFTSORTKIT_ERROR_INVALID_SHAPE, "count = "),
          "batch 0, count INT64_MAX");
    check(error_is(softsortkit_cross_entropy_f64(&o, s, 0, (int64_t)1 << 32, wrong, &loss, g, NULL),
                   SOFTSORTKIT_ERROR_INVALID_SHAPE, "count = "), "batch 0, count 2^32 cross-entropy");
    o = options(0, 1, 2, SOFTSORTKIT_PATH_FUSED);
    check(error_is(softsortkit_apply_f64(&o, s, 0, INT64_MAX, v, D, out, NULL), SOFTSORTKIT_ERROR_INVALID_SHAPE, "count = "),
          "fused apply, batch 0, count INT64_MAX");
    check(error_is(softsortkit_top_k_f64(&o, s, B, N, INT64_MAX, v, D, out, NULL), SOFTSORTKIT_ERROR_INVALID_ARGUMENT, "k = "),
          "top-k INT64_MAX");
    check(error_is(softsortkit_apply_f64(&o, s, B, N, v, INT64_MAX, out, NULL), SOFTSORTKIT_ERROR_INVALID_SHAPE, "overflow"),
          "dimension INT64_MAX");
    check(error_is(softsortkit_set_backend(42), SOFTSORTKIT_ERROR_INVALID_ARGUMENT, "backend = 42"), "backend 42");
}

int main(void) {
    const int AUTO = SOFTSORTKIT_PATH_AUTOMATIC, DENSE = SOFTSORTKIT_PATH_DENSE, FUSED = SOFTSORTKIT_PATH_FUSED,
              EXACT = SOFTSORTKIT_PATH_EXACT, GAUSS = SOFTSORTKIT_PATH_GAUSS;
    make_inputs();
    test_options_init();
    test_settings();
    test_matrices(0, 1, AUTO);
    test_matrices(0, 2, DENSE);
    test_matrices(0, 1.5, DENSE);
    test_matrices(1, 1, AUTO);
    test_permutation_and_ascending();
    /* with AUTOMATIC, any path that computes the output exactly (the measured cost table chooses) */
    int products[] = {APPLY_S, APPLY_T_S, TOP_K_S, QUANTILES_S};
    for (int c = 0; c < 4; c++) {
        int kind = products[c];
        test_product(kind, 1, AUTO, ANY_EXACT_PATH);
        test_product(kind, 2, AUTO, ANY_EXACT_PATH);
        test_product(kind, 1.5, AUTO, ANY_EXACT_PATH);
        test_product(kind, 2, DENSE, DENSE);
        test_product(kind, 1, EXACT, EXACT);
        test_product(kind, 2, GAUSS, GAUSS);
        if (kind != APPLY_T_S) test_product(kind, 1.5, FUSED, FUSED);
    }
    test_sorted_and_ranks(1, AUTO, ANY_EXACT_PATH);
    test_sorted_and_ranks(2, AUTO, ANY_EXACT_PATH);
    test_sorted_and_ranks(1, EXACT, EXACT);
    test_sorted_and_ranks(2, GAUSS, GAUSS);
    test_sorted_and_ranks(1.5, DENSE, DENSE);
    test_kept_values(1, EXACT);
    test_kept_values(2, GAUSS);
    test_kept_values(1.5, DENSE);
    test_log_normalizers(1, AUTO, ANY_EXACT_PATH);
    test_log_normalizers(2, GAUSS, GAUSS);
    test_loss(CROSS_ENTROPY, 0, 1, AUTO, ANY_EXACT_PATH);
    test_loss(CROSS_ENTROPY, 0, 2, AUTO, ANY_EXACT_PATH);
    test_loss(CROSS_ENTROPY, 0, 1.5, AUTO, ANY_EXACT_PATH);
    test_loss(CROSS_ENTROPY, 0, 2, DENSE, DENSE);
    test_loss(CROSS_ENTROPY, 0, 1, EXACT, EXACT);
    test_loss(CROSS_ENTROPY, 0, 2, GAUSS, GAUSS);
    test_loss(CROSS_ENTROPY, 0, 1.5, FUSED, FUSED);
    test_loss(CROSS_ENTROPY, 1, 1, AUTO, ANY_EXACT_PATH);
    test_loss(CROSS_ENTROPY, 1, 1, DENSE, DENSE);
    test_loss(NEAREST_NEIGHBORS, 0, 1, AUTO, ANY_EXACT_PATH);
    test_loss(NEAREST_NEIGHBORS, 0, 1, EXACT, EXACT);
    test_loss(NEAREST_NEIGHBORS, 0, 2, GAUSS, GAUSS);
    test_loss(NEAREST_NEIGHBORS, 0, 1.5, FUSED, FUSED);
    test_loss(NEAREST_NEIGHBORS, 0, 2, DENSE, DENSE);
    test_errors();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
