// OpenMP baseline for SoftSortKit's Dispatch scheduler: the same CSimd AVX2
// row kernels (SoftSort p = 1, forward + backward, Float) over the same
// (batch row, block of rows) work items, under `#pragma omp parallel for
// schedule(static)`. Built and run by ../openmp-baseline.sh.
//
// Usage: driver B n repetitions   -> prints "n B threads ms_per_call" (median)

#define _GNU_SOURCE  // qsort_r
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CSimd.h"

static int by_descending_key(const void* a, const void* b, void* keys) {
    size_t i = *(const size_t*)a, j = *(const size_t*)b;
    float x = ((const float*)keys)[i], y = ((const float*)keys)[j];
    if (x != y) return x > y ? -1 : 1;
    return i < j ? -1 : (i > j);
}

static double now_ms(void) { return omp_get_wtime() * 1e3; }

static int compare_doubles(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s B n repetitions\n", argv[0]); return 2; }
    const size_t B = strtoul(argv[1], NULL, 10), n = strtoul(argv[2], NULL, 10);
    const int repetitions = atoi(argv[3]);
    if (!csimd_cpu_has_avx2_fma()) { fprintf(stderr, "no AVX2+FMA on this CPU\n"); return 1; }
    // The same partition as SoftSortKit's RowBlocks: 48 items in all, >= 16 rows a block.
    size_t wanted = (48 + B - 1) / B, blocks = n / 16 < wanted ? n / 16 : wanted;
    if (blocks < 1) blocks = 1;
    const size_t items = B * blocks;
    const float tau = 0.1f;

    float* scores = malloc(B * n * sizeof(float));
    float* centres = malloc(B * n * sizeof(float));
    size_t* order = malloc(B * n * sizeof(size_t));
    float* matrix = malloc(B * n * n * sizeof(float));
    float* gradient_in = malloc(B * n * n * sizeof(float));
    float* partials = malloc(items * n * sizeof(float));
    float* centre_gradient = malloc(B * n * sizeof(float));
    float* gradient = malloc(B * n * sizeof(float));
    unsigned long long state = 7;
    for (size_t k = 0; k < B * n; k++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        scores[k] = (float)((state >> 40) * 0x1p-24 * 2 - 1);
    }
    for (size_t k = 0; k < B * n * n; k++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        gradient_in[k] = (float)((state >> 40) * 0x1p-24 - 0.5);
    }

    double* samples = malloc((size_t)(repetitions + 1) * sizeof(double));
    for (int rep = 0; rep <= repetitions; rep++) {
        double start = now_ms();
        // Sort each batch row: stable descending, ties by index, as SoftSortKit.
        #pragma omp parallel for schedule(static)
        for (size_t b = 0; b < B; b++) {
            for (size_t r = 0; r < n; r++) order[b * n + r] = r;
            qsort_r(order + b * n, n, sizeof(size_t), by_descending_key, scores + b * n);
            for (size_t r = 0; r < n; r++) centres[b * n + r] = scores[b * n + order[b * n + r]];
        }
        #pragma omp parallel for schedule(static)
        for (size_t item = 0; item < items; item++) {
            size_t b = item / blocks, k = item % blocks;
            const csimd_f32_softsort_fwd_params params = {
                .scores = scores + b * n, .centres = centres + b * n, .matrix = matrix + b * n * n,
                .scratch = NULL, .count = n, .temperature = tau, .stream = false};
            csimd_f32_softsort_fwd_p1__avx2_u32(&params, n * k / blocks, n * (k + 1) / blocks);
        }
        #pragma omp parallel for schedule(static)
        for (size_t item = 0; item < items; item++) {
            size_t b = item / blocks, k = item % blocks;
            float* partial = partials + item * n;
            memset(partial, 0, n * sizeof(float));
            const csimd_f32_softsort_bwd_params params = {
                .scores = scores + b * n, .centres = centres + b * n, .matrix = matrix + b * n * n,
                .matrix_gradient = gradient_in + b * n * n, .column_gradient = partial,
                .centre_gradient = centre_gradient + b * n, .count = n, .temperature = tau};
            csimd_f32_softsort_bwd_p1__avx2_u16(&params, n * k / blocks, n * (k + 1) / blocks);
        }
        #pragma omp parallel for schedule(static)
        for (size_t b = 0; b < B; b++) {
            float* g = gradient + b * n;
            memcpy(g, partials + b * blocks * n, n * sizeof(float));
            for (size_t k = 1; k < blocks; k++) {
                const float* partial = partials + (b * blocks + k) * n;
                for (size_t j = 0; j < n; j++) g[j] += partial[j];
            }
            for (size_t i = 0; i < n; i++) g[order[b * n + i]] += centre_gradient[b * n + i];
        }
        samples[rep] = now_ms() - start;
    }
    qsort(samples + 1, (size_t)repetitions, sizeof(double), compare_doubles);  // sample 0: warm-up
    printf("%zu %zu %d %.3f\n", n, B, omp_get_max_threads(), samples[1 + repetitions / 2]);
    volatile float sink = gradient[0];
    (void)sink;
    return 0;
}
