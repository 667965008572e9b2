// libFuzzer harness over the CSimd AVX2 kernels: every kernel family (exp,
// SoftSort forward/backward, NeuralSort, fused apply, and the fused SoftSort
// and NeuralSort cross-entropies) on a
// random row length n (1 ... 300), misaligned buffers (0 ... 7 floats), random
// temperature, p = 1 or 2, direction, row range, value width d and column
// tile, against a plain double reference written here from the formulas in
// CSimd.h. Every buffer is allocated to its exact size, so AddressSanitizer
// reports any access past its end; a result outside the tolerance aborts.
//
// Tolerance: |kernel - reference| <= 2^-10 * m + 2^-20, m the sum of the
// magnitudes of the reference's terms (float sums over n <= 300 terms, exp
// within 2 ULP, exp flushed to 0 below ln 2^-96).
//
// Build and run: .ci/fuzz.sh (libFuzzer) and .ci/ubsan.sh. Without libFuzzer,
// -DCSIMD_FUZZ_MAIN builds a main that runs the same check on seeds 0, 1, 2,
// ... for a given time.
#include <CSimd.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint64_t state; } rng;
static uint64_t next(rng* r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double uniform(rng* r, double lo, double hi) { return lo + (hi - lo) * (double)(next(r) >> 11) * 0x1p-53; }

// `count` floats ending exactly at the end of their allocation, `offset` floats
// past an allocation's start (misaligned for offset % 8 != 0). Freed by release().
static float* buffer(size_t count, size_t offset, void** base) {
    char* raw = malloc((count + offset) * sizeof(float) + 1);
    *base = raw;
    return (float*)raw + offset;
}

static void check(const char* what, size_t k, double got, double want, double magnitude) {
    double tolerance = 0x1p-10 * magnitude + 0x1p-20;
    if (!(fabs(got - want) <= tolerance)) {
        fprintf(stderr, "%s[%zu]: kernel %.9g, reference %.9g (tolerance %.3g)\n", what, k, got, want, tolerance);
        abort();
    }
}

static double distance(double x, int p) { return p == 1 ? fabs(x) : x * x; }
static double derivative(double x, int p) { return x == 0 ? 0 : (p == 1 ? (x > 0 ? 1 : -1) : 2 * x); }
static int descending(const void* a, const void* b) {
    float x = *(const float*)a, y = *(const float*)b;
    return (x < y) - (x > y);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (!csimd_cpu_has_avx2_fma()) return 0;
    uint64_t seed = 1469598103934665603ull;
    for (size_t k = 0; k < size; k++) seed = (seed ^ data[k]) * 1099511628211ull;
    rng r = { seed };
    const size_t n = 1 + (size > 0 ? data[0] : next(&r)) % 300, off = next(&r) % 8;
    const int p = 1 + (int)(next(&r) % 2), family = (int)(next(&r) % 7);
    const float tau = (float)exp(uniform(&r, log(0.05), log(10.0)));
    const size_t begin = next(&r) % n, end = begin + 1 + next(&r) % (n - begin);
    void *b0, *b1, *b2, *b3, *b4, *b5, *b6, *b7;
    float* s = buffer(n, off, &b0);
    for (size_t j = 0; j < n; j++) s[j] = (float)uniform(&r, -4, 4);
    if (n > 2 && next(&r) % 4 == 0) s[n - 1] = s[0];  // a tie
    float* c = buffer(n, (off + 3) % 8, &b1);
    memcpy(c, s, n * sizeof(float));
    qsort(c, n, sizeof(float), descending);
    double* ref = calloc(n * n + 1, sizeof(double));

    if (family == 0) {  // exp
        float* x = buffer(n, off, &b2);
        float* y = buffer(n, (off + 5) % 8, &b3);
        for (size_t j = 0; j < n; j++) x[j] = (float)uniform(&r, -100, 0);
        csimd_f32_expminus_u2__avx2_u32(x, y, n);
        for (size_t j = 0; j < n; j++) check("exp", j, y[j], x[j] < -87.3 ? 0 : exp(x[j]), exp(x[j]) * 64);
        free(b2); free(b3);
    } else if (family == 1 || family == 2) {  // SoftSort forward, then backward over the same rows
        const int stream = (int)(next(&r) % 2);
        float* m = buffer(n * n, off, &b2);
        float* scratch = buffer(n, (off + 1) % 8, &b3);
        csimd_f32_softsort_fwd_params fp = { s, c, m, stream ? scratch : NULL, n, tau, stream };
        (p == 1 ? csimd_f32_softsort_fwd_p1__avx2_u32 : csimd_f32_softsort_fwd_p2__avx2_u32)(&fp, begin, end);
        for (size_t i = begin; i < end; i++) {
            double z = 0;
            for (size_t j = 0; j < n; j++) z += exp(-distance((double)c[i] - s[j], p) / tau);
            for (size_t j = 0; j < n; j++) {
                ref[i * n + j] = exp(-distance((double)c[i] - s[j], p) / tau) / z;
                check("softsort P", i * n + j, m[i * n + j], ref[i * n + j], 1);
            }
        }
        if (family == 2) {
            float* g = buffer(n * n, (off + 2) % 8, &b4);
            float* column = buffer(n, (off + 4) % 8, &b5);
            float* centre = buffer(n, (off + 6) % 8, &b6);
            for (size_t k = 0; k < n * n; k++) g[k] = (float)uniform(&r, -1, 1);
            memset(column, 0, n * sizeof(float));
            csimd_f32_softsort_bwd_params bp = { s, c, m, g, column, centre, n, tau };
            (p == 1 ? csimd_f32_softsort_bwd_p1__avx2_u16 : csimd_f32_softsort_bwd_p2__avx2_u16)(&bp, begin, end);
            double* col = calloc(n, sizeof(double));
            double* mag = calloc(n, sizeof(double));
            for (size_t i = begin; i < end; i++) {
                double dot = 0, centreSum = 0, centreMag = 0;
                for (size_t j = 0; j < n; j++) dot += (double)g[i * n + j] * m[i * n + j];
                for (size_t j = 0; j < n; j++) {
                    double t = m[i * n + j] * (g[i * n + j] - dot) * derivative((double)c[i] - s[j], p) / tau;
                    col[j] += t; mag[j] += fabs(t) + fabs(m[i * n + j] * dot * 8 / tau);
                    centreSum -= t; centreMag += fabs(t) + fabs(m[i * n + j] * dot * 8 / tau);
                }
                check("softsort centre gradient", i, centre[i], centreSum, centreMag);
            }
            for (size_t j = 0; j < n; j++) check("softsort column gradient", j, column[j], col[j], mag[j]);
            free(col); free(mag); free(b4); free(b5); free(b6);
        }
        free(b2); free(b3);
    } else if (family == 3) {  // NeuralSort: column sums, forward, backward, column-sum backward
        const float sign = next(&r) % 2 ? 1.0f : -1.0f;
        float* sums = buffer(n, (off + 1) % 8, &b2);
        csimd_f32_neuralsort_colsums_params cp = { s, sums, n };
        csimd_f32_neuralsort_colsums__avx2_u16(&cp);
        for (size_t j = 0; j < n; j++) {
            double t = 0;
            for (size_t k = 0; k < n; k++) t += fabs((double)s[j] - s[k]);
            check("neuralsort column sums", j, sums[j], t, t + 1);
        }
        const int stream = (int)(next(&r) % 2);
        float* m = buffer(n * n, off, &b3);
        float* scratch = buffer(n, (off + 2) % 8, &b4);
        csimd_f32_neuralsort_fwd_params fp = { s, sums, m, stream ? scratch : NULL, n, tau, sign, stream };
        csimd_f32_neuralsort_fwd__avx2_u16(&fp, begin, end);
        for (size_t i = begin; i < end; i++) {
            double a = sign * ((double)n - 1 - 2.0 * i), largest = -INFINITY, z = 0;
            for (size_t j = 0; j < n; j++) largest = fmax(largest, (a * s[j] - sums[j]) / tau);
            for (size_t j = 0; j < n; j++) z += exp((a * s[j] - sums[j]) / tau - largest);
            // The logit a s_j - c_j cancels: allow its rounding, relative to |a s_j| + c_j.
            for (size_t j = 0; j < n; j++) {
                double slack = (fabs(a * s[j]) + sums[j]) / tau * 0x1p-12;
                check("neuralsort P", i * n + j, m[i * n + j], exp((a * s[j] - sums[j]) / tau - largest) / z, 1 + 64 * slack);
            }
        }
        float* g = buffer(n * n, (off + 3) % 8, &b5);
        float* sg = buffer(n, (off + 5) % 8, &b6);
        float* cg = buffer(n, (off + 7) % 8, &b7);
        for (size_t k = 0; k < n * n; k++) g[k] = (float)uniform(&r, -1, 1);
        memset(sg, 0, n * sizeof(float));
        memset(cg, 0, n * sizeof(float));
        csimd_f32_neuralsort_bwd_params bp = { m, g, sg, cg, n, tau, sign };
        csimd_f32_neuralsort_bwd__avx2_u8(&bp, begin, end);
        double* rowDots = calloc(n, sizeof(double));
        for (size_t i = begin; i < end; i++)
            for (size_t k = 0; k < n; k++) rowDots[i] += (double)g[i * n + k] * m[i * n + k];
        for (size_t j = 0; j < n; j++) {
            double want = 0, wantC = 0, mag = 0;
            for (size_t i = begin; i < end; i++) {
                double dot = rowDots[i];
                double t = m[i * n + j] * (g[i * n + j] - dot) / tau;
                want += sign * ((double)n - 1 - 2.0 * i) * t;
                wantC -= t;
                mag += (fabs(t) + fabs(m[i * n + j] * dot / tau)) * n;
            }
            check("neuralsort score gradient", j, sg[j], want, mag);
            check("neuralsort column-sum gradient", j, cg[j], wantC, mag);
        }
        free(rowDots);
        free(b5);  // g is done with; its slot holds the column-sum backward's output
        float* out = buffer(n, (off + 4) % 8, &b5);
        for (size_t j = 0; j < n; j++) out[j] = 0;
        csimd_f32_neuralsort_colsums_bwd_params cb = { s, sg, out, n };
        csimd_f32_neuralsort_colsums_bwd__avx2_u8(&cb);
        for (size_t j = 0; j < n; j++) {
            double t = 0, mag = 0;
            for (size_t k = 0; k < n; k++) {
                double x = (double)s[j] - s[k], u = (double)sg[j] + sg[k];
                if (x != 0) t += x > 0 ? u : -u;
                mag += fabs(u);
            }
            check("neuralsort column-sum backward", j, out[j], t, mag);
        }
        free(b2); free(b3); free(b4); free(b5); free(b6); free(b7);
    } else if (family == 5) {  // fused SoftSort cross-entropy, random targets
        ptrdiff_t* t = malloc(n * sizeof(ptrdiff_t));
        for (size_t i = 0; i < n; i++) t[i] = (ptrdiff_t)(next(&r) % n);
        float* scratch = buffer(csimd_f32_softsort_loss_scratch_count(n), (off + 1) % 8, &b2);
        float* column = buffer(n, (off + 2) % 8, &b3);
        float* centre = buffer(n, (off + 4) % 8, &b4);
        memset(column, 0, n * sizeof(float));
        csimd_f32_softsort_loss_params lp = { s, c, t, scratch, column, centre, n, tau };
        const double loss =
            (p == 1 ? csimd_f32_softsort_loss_p1__avx2_u32 : csimd_f32_softsort_loss_p2__avx2_u32)(&lp, begin, end);
        double want = 0, wantMag = 0;
        double* col = calloc(n, sizeof(double));
        double* mag = calloc(n, sizeof(double));
        for (size_t i = begin; i < end; i++) {
            double z = 0, centreSum = 0, centreMag = 0;
            for (size_t j = 0; j < n; j++) z += exp(-distance((double)c[i] - s[j], p) / tau);
            const double li = distance((double)c[i] - s[t[i]], p) / tau + log(z);
            want += li;
            wantMag += fabs(li) + 1;
            for (size_t j = 0; j < n; j++) {
                const double pij = exp(-distance((double)c[i] - s[j], p) / tau) / z, hot = j == (size_t)t[i];
                const double d = derivative((double)c[i] - s[j], p) / tau, u = (pij - hot) * d;
                col[j] += u; mag[j] += (pij + hot) * (fabs(d) + 8 / tau);
                centreSum -= u; centreMag += (pij + hot) * (fabs(d) + 8 / tau);
            }
            check("softsort loss centre gradient", i, centre[i], centreSum, centreMag);
        }
        check("softsort loss", 0, loss, want, wantMag);
        for (size_t j = 0; j < n; j++) check("softsort loss column gradient", j, column[j], col[j], mag[j]);
        free(col); free(mag); free(t); free(b2); free(b3); free(b4);
    } else if (family == 6) {  // fused NeuralSort cross-entropy on the AVX2 column sums, random targets
        const float sign = next(&r) % 2 ? 1.0f : -1.0f;
        ptrdiff_t* t = malloc(n * sizeof(ptrdiff_t));
        for (size_t i = 0; i < n; i++) t[i] = (ptrdiff_t)(next(&r) % n);
        float* sums = buffer(n, (off + 1) % 8, &b2);
        csimd_f32_neuralsort_colsums_params cp = { s, sums, n };
        csimd_f32_neuralsort_colsums__avx2_u16(&cp);
        float* scratch = buffer(csimd_f32_neuralsort_loss_scratch_count(n), (off + 2) % 8, &b3);
        float* sg = buffer(n, (off + 3) % 8, &b4);
        float* cg = buffer(n, (off + 5) % 8, &b5);
        memset(sg, 0, n * sizeof(float));
        memset(cg, 0, n * sizeof(float));
        csimd_f32_neuralsort_loss_params lp = { s, sums, t, scratch, sg, cg, n, tau, sign };
        const double loss = csimd_f32_neuralsort_loss__avx2_u32(&lp, begin, end);
        double want = 0, wantMag = 0;
        double* sref = calloc(n, sizeof(double));
        double* cref = calloc(n, sizeof(double));
        double* mag = calloc(n, sizeof(double));
        for (size_t i = begin; i < end; i++) {
            const double a = sign * ((double)n - 1 - 2.0 * i);
            double largest = -INFINITY, z = 0, span = 0;
            for (size_t j = 0; j < n; j++) {
                largest = fmax(largest, a * s[j] - sums[j]);
                span = fmax(span, fabs(a * s[j]) + sums[j]);
            }
            for (size_t j = 0; j < n; j++) z += exp((a * s[j] - sums[j] - largest) / tau);
            // The numerators a s_j - c_j cancel in float: their rounding, relative to
            // the row's largest |a s_j| + c_j, is the slack (as for NeuralSort P).
            const double slack = span / tau * 0x1p-12;
            const double li = (largest - (a * s[t[i]] - sums[t[i]])) / tau + log(z);
            want += li;
            wantMag += fabs(li) + 1 + 64 * slack;
            for (size_t j = 0; j < n; j++) {
                const double pij = exp((a * s[j] - sums[j] - largest) / tau) / z, hot = j == (size_t)t[i];
                sref[j] += a * (pij - hot) / tau;
                cref[j] -= (pij - hot) / tau;
                mag[j] += (fabs(a) + 1) * (pij * (1 + 64 * slack) + hot) / tau;
            }
        }
        check("neuralsort loss", 0, loss, want, wantMag);
        for (size_t j = 0; j < n; j++) {
            check("neuralsort loss score gradient", j, sg[j], sref[j], mag[j]);
            check("neuralsort loss column-sum gradient", j, cg[j], cref[j], mag[j]);
        }
        free(sref); free(cref); free(mag); free(t); free(b2); free(b3); free(b4); free(b5);
    } else {  // fused apply Y = P V, forward and backward
        const size_t d = 1 + next(&r) % 5, tile = next(&r) % 3 == 0 ? 0 : 1 + next(&r) % (n + 8);
        float* vt = buffer(d * n, off, &b2);
        float* y = buffer(n * d, (off + 1) % 8, &b3);
        float* z = buffer(n, (off + 2) % 8, &b4);
        size_t scratchCount = csimd_f32_softsort_apply_bwd_scratch_count(n, d, tile);
        float* scratch = scratchCount ? buffer(scratchCount, (off + 3) % 8, &b5) : NULL;
        if (!scratchCount) b5 = NULL;
        for (size_t k = 0; k < d * n; k++) vt[k] = (float)uniform(&r, -2, 2);
        memset(y, 0, n * d * sizeof(float));
        csimd_f32_softsort_apply_fwd_params fp = { s, c, vt, y, z, scratch, n, d, tile, tau };
        (p == 1 ? csimd_f32_softsort_apply_fwd_p1__avx2_u16 : csimd_f32_softsort_apply_fwd_p2__avx2_u16)(&fp, begin, end);
        for (size_t i = begin; i < end; i++) {
            double zi = 0;
            for (size_t j = 0; j < n; j++) zi += exp(-distance((double)c[i] - s[j], p) / tau);
            check("apply Z", i, z[i], zi, zi);
            for (size_t e = 0; e < d; e++) {
                double yi = 0;
                for (size_t j = 0; j < n; j++) yi += exp(-distance((double)c[i] - s[j], p) / tau) / zi * vt[e * n + j];
                check("apply Y", i * d + e, y[i * d + e], yi, 2);
            }
        }
        float* g = buffer(n * d, (off + 4) % 8, &b6);
        float* dots = buffer(n, (off + 5) % 8, &b7);
        for (size_t k = 0; k < n * d; k++) g[k] = (float)uniform(&r, -1, 1);
        for (size_t i = 0; i < n; i++) {
            double t = 0;
            for (size_t e = 0; e < d; e++) t += (double)g[i * d + e] * y[i * d + e];
            dots[i] = (float)t;
        }
        void *b8, *b9, *b10;
        float* sg = buffer(n, (off + 6) % 8, &b8);
        float* vg = buffer(d * n, (off + 7) % 8, &b9);
        float* cg = buffer(n, off, &b10);
        memset(sg, 0, n * sizeof(float));
        memset(vg, 0, d * n * sizeof(float));
        csimd_f32_softsort_apply_bwd_params bp = { s, c, vt, z, dots, g, sg, vg, cg, scratch, n, d, tile, tau };
        (p == 1 ? csimd_f32_softsort_apply_bwd_p1__avx2_u8 : csimd_f32_softsort_apply_bwd_p2__avx2_u8)(&bp, begin, end);
        double* col = calloc(n, sizeof(double));
        double* mag = calloc(n, sizeof(double));
        double* vref = calloc(d * n, sizeof(double));
        for (size_t i = begin; i < end; i++) {
            double centre = 0, centreMag = 0;
            for (size_t j = 0; j < n; j++) {
                double pij = exp(-distance((double)c[i] - s[j], p) / tau) / z[i], gv = 0;
                for (size_t e = 0; e < d; e++) { gv += (double)g[i * d + e] * vt[e * n + j]; vref[e * n + j] += pij * g[i * d + e]; }
                double t = pij * (gv - dots[i]) * derivative((double)c[i] - s[j], p) / tau;
                double m = (fabs(t) + pij * (fabs(gv) + fabs(dots[i])) * 8 / tau) * 4;
                col[j] += t; mag[j] += m; centre -= t; centreMag += m;
            }
            check("apply centre gradient", i, cg[i], centre, centreMag);
        }
        for (size_t j = 0; j < n; j++) check("apply score gradient", j, sg[j], col[j], mag[j]);
        for (size_t k = 0; k < d * n; k++) check("apply value gradient", k, vg[k], vref[k], (double)(end - begin));
        free(col); free(mag); free(vref);
        free(b2); free(b3); free(b4); free(b5); free(b6); free(b7); free(b8); free(b9); free(b10);
    }
    free(ref);
    free(b0); free(b1);
    return 0;
}

#ifdef CSIMD_FUZZ_MAIN
// Without libFuzzer: seeds 0, 1, 2, ... as 8-byte inputs for argv[1] seconds.
int main(int argc, char** argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 10;
    time_t start = time(NULL);
    uint64_t runs = 0;
    for (uint64_t seed = 0; difftime(time(NULL), start) < seconds; seed++, runs++) {
        uint8_t bytes[8];
        memcpy(bytes, &seed, 8);
        LLVMFuzzerTestOneInput(bytes, 8);
    }
    printf("csimd_fuzz: %llu inputs, no failure\n", (unsigned long long)runs);
    return 0;
}
#endif
