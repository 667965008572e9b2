#!/usr/bin/env bash
# Builds perf/abi_latency.c against the release libsoftsortkit.so and runs it (arguments: see the .c file).
#   perf/abi_latency.sh [batch] [count] [calls] [stretches]
# Where the call's time goes: perf record -e cpu-clock -F 20000 --call-graph dwarf perf/out/abi_latency 1 16 200000 3
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lib="$root/.build/release"
[[ -f "$lib/libsoftsortkit.so" ]] || swift build -c release --product softsortkit --package-path "$root"
mkdir -p "$root/perf/out"
clang -O2 -g -I"$root/include" "$root/perf/abi_latency.c" -L"$lib" -lsoftsortkit -Wl,-rpath,"$lib" \
    -o "$root/perf/out/abi_latency"
exec "$root/perf/out/abi_latency" "$@"
