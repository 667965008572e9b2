/* The C ABI's cross-entropy call (loss + gradient, path automatic, float) timed from C:
 * the median over stretches of the nanoseconds per call, at B rows of n (default B = 1, n = 16),
 * p = 1 and 2, tau = 0.1, descending, the identity targets. The library keeps a pooled workspace
 * between calls, so this is the steady state. perf/abi_latency.sh builds and runs it.
 *
 *   abi_latency [batch] [count] [calls] [stretches]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "softsortkit.h"

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int64_t batch = argc > 1 ? atoll(argv[1]) : 1, count = argc > 2 ? atoll(argv[2]) : 16;
    int calls = argc > 3 ? atoi(argv[3]) : 20000, stretches = argc > 4 ? atoi(argv[4]) : 7;
    size_t elements = (size_t)(batch * count);
    float *scores = malloc(elements * sizeof(float)), *grad = malloc(elements * sizeof(float)), loss = 0;
    int64_t *targets = malloc(elements * sizeof(int64_t));
    double *samples = malloc((size_t)stretches * sizeof(double));
    uint32_t state = 2020;
    for (size_t k = 0; k < elements; k++) {
        state = state * 1664525u + 1013904223u;
        scores[k] = (float)(state >> 8) * 0x1p-24f;
        targets[k] = (int64_t)(k % (size_t)count);
    }
    int32_t backend = 0;
    softsortkit_backend(&backend);
    printf("C ABI softsortkit_cross_entropy_f32, B = %" PRId64 ", n = %" PRId64 ", threads %d, backend %d "
           "(3: avx2), median of %d stretches of %d calls\n", batch, count, softsortkit_threads(), backend,
           stretches, calls);
    for (int power = 1; power <= 2; power++) {
        softsortkit_options options;
        softsortkit_options_init(&options);
        options.temperature = 0.1;
        options.power = power;
        options.direction = SOFTSORTKIT_DESCENDING;
        int32_t used = -1;
        for (int k = 0; k < calls / 10; k++)
            softsortkit_cross_entropy_f32(&options, scores, batch, count, targets, &loss, grad, &used);
        for (int s = 0; s < stretches; s++) {
            double start = now_ns();
            for (int k = 0; k < calls; k++) {
                if (softsortkit_cross_entropy_f32(&options, scores, batch, count, targets, &loss, grad, &used)) {
                    fprintf(stderr, "error: %s\n", softsortkit_last_error());
                    return 1;
                }
            }
            samples[s] = (now_ns() - start) / calls;
        }
        qsort(samples, (size_t)stretches, sizeof(double), compare);
        printf("p = %d  path %d  loss %.6f  %.0f ns per call\n", power, used, loss, samples[stretches / 2]);
    }
    return 0;
}
