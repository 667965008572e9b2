#!/usr/bin/env bash
# Samples a simd-bench run with `perf record -e cpu-clock` (software clock:
# this VM has no hardware counters) and prints the top symbols, demangled.
#
#   perf/perf-record.sh                       # simd-bench train --n 1000 --steps 10
#   perf/perf-record.sh train --n 4000 --steps 3 --operators softsort-p2
#   CALLGRAPH=1 perf/perf-record.sh ...       # with call graphs (-g)
#
# Output: perf/out/perf.data and perf/out/perf-report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH:-.build-perf}"
swift build -c release --scratch-path "$scratch" --product simd-bench >&2
bin="$scratch/release/simd-bench"
mkdir -p perf/out
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(train --n 1000 --steps 10)
graph=()
[[ "${CALLGRAPH:-0}" == 1 ]] && graph=(-g)
perf record -e cpu-clock -F 999 "${graph[@]}" -o perf/out/perf.data -- "$bin" "${args[@]}" >&2
perf report -i perf/out/perf.data --stdio --no-children --sort dso,symbol --percent-limit 0.5 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | swift demangle --simplified | cut -c1-160 > perf/out/perf-report.txt
head -30 perf/out/perf-report.txt
echo "(full report: perf/out/perf-report.txt)"
