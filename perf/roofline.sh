#!/usr/bin/env bash
# A roofline estimate for the training step, from wall time and a traffic
# model (this VM has no hardware counters, so nothing here is counted):
#
#   1. measures this machine's roofs on one core: STREAM-triad bandwidth
#      (a 256 MiB working set, GB/s) and peak AVX2+FMA throughput (GFLOP/s),
#      with a small C program built by the toolchain's clang;
#   2. runs `simd-bench train --json` and, per operator and n, divides a
#      model of the work per step by the median time per step:
#        bytes >= 12 B n^2  (forward writes P; the backward reads P and dL/dP)
#        flops ~= 30 B n^2  (distance, exp polynomial, normalise; backward's
#                            dot product and scaling) -- an estimate
#   3. prints achieved GB/s and GFLOP/s against the roofs: near the bandwidth
#      roof means memory-bound, far below both means overheads (page faults
#      of fresh B x n x n buffers, scalar code, sorting).
#
#   perf/roofline.sh                       # n = 1000 2000, 5 steps, 1 thread
#   perf/roofline.sh --n 4000 --steps 3 --threads 2
#
# The roofs are one core's: compare them with 1-thread runs (the default).
# The exact p = 1 path has no n x n matrix, so the model skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p perf/out
clang="$(dirname "$(command -v swift)")/clang"
[[ -x "$clang" ]] || clang=clang
cat > perf/out/roofs.c <<'C'
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
__attribute__((target("avx2,fma"))) static double peak(long reps) {
    __m256 a[10], x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
    for (int k = 0; k < 10; k++) a[k] = _mm256_set1_ps((float)k);
    double t = now();
    for (long r = 0; r < reps; r++)
        for (int k = 0; k < 10; k++) a[k] = _mm256_fmadd_ps(a[k], x, y);   /* 10 independent chains */
    t = now() - t;
    __m256 s = a[0];
    for (int k = 1; k < 10; k++) s = _mm256_add_ps(s, a[k]);
    float out[8]; _mm256_storeu_ps(out, s);
    if (out[0] == 12345.f) puts("");
    return reps * 10.0 * 8 * 2 / t / 1e9;
}
int main(void) {
    size_t n = (size_t)1 << 26;   /* 3 arrays x 64 Mi floats x 4 B = 768 MiB... */
    n >>= 2;                      /* ...256 MiB in total: far past every cache */
    float *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
    for (size_t i = 0; i < n; i++) { a[i] = 0; b[i] = 1; c[i] = 2; }
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        double t = now();
        for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0f * c[i];
        t = now() - t;
        if (t < best) best = t;
    }
    if (a[n / 2] != 7.0f) return 1;
    printf("%.2f %.2f\n", 3.0 * n * 4 / best / 1e9, peak(50000000));
    return 0;
}
C
"$clang" -O2 perf/out/roofs.c -o perf/out/roofs
read -r bandwidth flops < <(perf/out/roofs)
echo "roofs (1 core): STREAM triad ${bandwidth} GB/s, AVX2+FMA peak ${flops} GFLOP/s"

args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--n 1000 2000 --steps 5 --threads 1)
swift build -c release --scratch-path "${SCRATCH:-.build-perf}" --product simd-bench >&2
"${SCRATCH:-.build-perf}/release/simd-bench" train "${args[@]}" --json perf/out/roofline-train.json > /dev/null
python3 - "$bandwidth" "$flops" perf/out/roofline-train.json <<'PY'
import json, sys
bandwidth, flops, path = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
doc = json.load(open(path))
print(f"{'operator':<14} {'n':>5} {'threads':>7} {'ms/step':>9} {'GB/s (>=)':>10} {'% of BW':>8} {'GFLOP/s (~)':>12} {'% of peak':>10}")
for r in doc["results"]:
    if r["operator"].endswith("-exact"):
        continue  # no n x n matrix: the model does not apply
    elements = r["batch"] * r["n"] ** 2
    seconds = r["msPerStep"] / 1e3
    gbs = 12 * elements / seconds / 1e9
    gfs = 30 * elements / seconds / 1e9
    print(f"{r['operator']:<14} {r['n']:>5} {r['threads']:>7} {r['msPerStep']:>9.1f} {gbs:>10.2f} {100 * gbs / bandwidth:>7.0f}% "
          f"{gfs:>12.2f} {100 * gfs / flops:>9.0f}%")
print("model: >= 12 bytes and ~30 flops per element of P per step (see the script's header); "
      f"ridge point {flops / bandwidth:.1f} flop/byte vs the step's ~2.5")
PY
