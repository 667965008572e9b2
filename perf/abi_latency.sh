#!/usr/bin/env bash
# Builds perf/abi_latency.c against the release libsoftsortkit.so and runs it (arguments: see the .c file).
#   perf/abi_latency.sh [batch] [count] [calls] [stretches]
# With CALLGRIND=1 it runs 2000 calls under callgrind instead and prints the inclusive instruction
# counts of the call's stages (copy-in, the forward, the loss, copy-out, malloc/free).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lib="$root/.build/release"
[[ -f "$lib/libsoftsortkit.so" ]] || swift build -c release --product softsortkit --package-path "$root"
mkdir -p "$root/perf/out"
clang -O2 -gdwarf-4 -I"$root/include" "$root/perf/abi_latency.c" -L"$lib" -lsoftsortkit -Wl,-rpath,"$lib" \
    -o "$root/perf/out/abi_latency"
if [[ "${CALLGRIND:-0}" == 1 ]]; then
    out="$root/perf/out/abi_latency.callgrind"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$root/perf/out/abi_latency" "${1:-1}" "${2:-16}" 2000 1
    callgrind_annotate --inclusive=yes "$out" | swift demangle --simplified | head -60
else
    exec "$root/perf/out/abi_latency" "$@"
fi
