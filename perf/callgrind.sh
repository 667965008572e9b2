#!/usr/bin/env bash
# Instruction counts per function (so per kernel) with valgrind's callgrind.
# Counts are exact and do not depend on the machine's load.
#
#   perf/callgrind.sh                          # train --n 200 --steps 2, every operator
#   perf/callgrind.sh train --n 500 --steps 1 --operators softsort-p2
#
# valgrind 3.19 cannot read the DWARF 5 that clang 21 writes by default, so
# this builds its own binary with DWARF 4 in .build-dwarf4.
# Output: perf/out/callgrind.out and perf/out/callgrind.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH:-.build-dwarf4}"
swift build -c release --scratch-path "$scratch" --product simd-bench \
    -Xswiftc -dwarf-version=4 -Xcc -gdwarf-4 >&2
bin="$scratch/release/simd-bench"
mkdir -p perf/out
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(train --n 200 --steps 2)
valgrind --tool=callgrind --callgrind-out-file=perf/out/callgrind.out -- "$bin" "${args[@]}" >&2
callgrind_annotate --inclusive=no perf/out/callgrind.out 2>/dev/null \
    | swift demangle --simplified | cut -c1-180 > perf/out/callgrind.txt
# The header (totals) and the 25 most expensive functions, self cost.
sed -n '/^Ir/,$p' perf/out/callgrind.txt | head -30 || true  # head closes the pipe early
echo "(full listing: perf/out/callgrind.txt; divide a kernel's Ir by B n^2 x (steps + 1) for Ir per element)"
