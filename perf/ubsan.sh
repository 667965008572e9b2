#!/usr/bin/env bash
# UndefinedBehaviorSanitizer over the library and its tests (it instruments
# the CSimd C kernels: shifts, signed overflow, misaligned loads, out-of-range
# float-to-int conversions; Swift traps on its own overflow in every build), in
# its own scratch folder, halting on the first report.
#
# FILTER as in perf/asan.sh (default: the same representative subset; FILTER=.
# for every suite), then simd-bench verify built with UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
FILTER="${FILTER:-Hostile|Validation|Scheduler|Apply|ExactScan|Window|Misalignment|Property|Reference|API|ExpAccuracy}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
swift test --sanitize=undefined --scratch-path .build-ubsan --filter "$FILTER"
swift build --sanitize=undefined --scratch-path .build-ubsan --product simd-bench
.build-ubsan/debug/simd-bench verify | tail -n 1
echo "UndefinedBehaviorSanitizer: no report"
