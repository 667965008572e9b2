#!/usr/bin/env bash
# The Dispatch scheduler against an OpenMP baseline running the same CSimd AVX2
# kernels over the same work items: dense SoftSort p = 1 forward+backward,
# Float, B = 20, n in {500, 2000, 4000}, every core, median of 5 runs each.
#
# Usage: perf/openmp-baseline.sh [threads]      (from the repository root)
#
# OpenMP cannot be used from a SwiftPM target without unsafe flags, so the
# driver is built here with the Swift toolchain's clang and -fopenmp against
# Debian's libomp-dev (installed when missing). That package puts omp.h and
# libomp in LLVM 14's own folders, off the default search paths.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/perf/out"
mkdir -p "$out"
threads=${1:-$(nproc)}

llvm=/usr/lib/llvm-14
if ! ls "$llvm"/lib/clang/*/include/omp.h >/dev/null 2>&1; then
    echo "installing libomp-dev ..." >&2
    apt-get update -qq && apt-get install -y -qq libomp-dev >/dev/null
fi
omp_include=$(dirname "$(ls "$llvm"/lib/clang/*/include/omp.h | head -n 1)")
clang=$(dirname "$(command -v swift)")/clang

"$clang" -O2 -fopenmp -I"$omp_include" -I"$root/CSimd/include" \
    "$root/perf/openmp-baseline/driver.c" "$root"/CSimd/*.c \
    -L"$llvm/lib" -Wl,-rpath,"$llvm/lib" -lomp -lm -o "$out/openmp-baseline"

(cd "$root" && swift build -c release --product simd-bench >/dev/null)
SOFTSORT_BACKEND=avx2 "$root/.build/release/simd-bench" scaling --n 500 2000 4000 --batch 20 \
    --max-threads "$threads" --repetitions 5 --json "$out/scaling-dispatch.json" >/dev/null

echo "dense SoftSort p = 1 forward+backward, Float, avx2 kernels, B = 20, $threads threads, median of 5"
echo "     n   Dispatch ms   OpenMP ms   Dispatch/OpenMP"
for n in 500 2000 4000; do
    read -r _ _ _ omp_ms < <(OMP_NUM_THREADS=$threads "$out/openmp-baseline" 20 "$n" 5)
    dispatch_ms=$(python3 -c "import json,sys; r=json.load(open('$out/scaling-dispatch.json'))['results']; print([x['msPerCall'] for x in r if x['n']==$n and x['threads']==$threads][0])")
    python3 -c "print('%6d %13.2f %11.2f %17.3f' % ($n, $dispatch_ms, $omp_ms, $dispatch_ms / $omp_ms))"
done
