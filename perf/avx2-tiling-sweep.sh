#!/usr/bin/env bash
# The AVX2 kernels with and without their two memory-traffic measures, one
# thread, through `simd-bench kernels` (median of 5 runs each):
#   - non-temporal (streaming) stores of P in the dense forward kernels (off by default);
#   - column tiles of the fused apply (2048 columns vs whole rows), at
#     n = 1000, 4000 (B = 20) and n = 100000 (B = 1, one run, with peak RSS).
# Writes perf/out/avx2-*.json and prints the tables. The machine is shared:
# compare figures from one run of this script, not across days.
#   perf/avx2-tiling-sweep.sh [SCRATCH]     # SCRATCH: a --scratch-path (default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${1:-.build}
swift build -c release --scratch-path "$scratch" --product simd-bench >/dev/null
bin="$scratch/release/simd-bench"
out=perf/out; mkdir -p "$out"
dense="softsort-forward neuralsort-forward"
# Alternating pairs (streaming vs plain stores; 2048-column tiles vs whole rows).
"$bin" kernels --compare --repetitions 9 --large-count 100000
# The full table with each choice, for the JSON.
"$bin" kernels --backends avx2 --streaming-from 0 --json "$out/avx2-stream-on.json"
"$bin" kernels --backends avx2 --column-tile 0 --json "$out/avx2-tile-none.json"
