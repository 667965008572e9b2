#!/usr/bin/env bash
# AddressSanitizer over the library and its tests (Swift and the CSimd C
# kernels are both instrumented), in its own scratch folder.
#
# `swift test --sanitize=address` over the suites given by FILTER (a
# `swift test --filter` regular expression; default: every suite except the
# slowest (AVX2KernelTests, BackendPathsTests, which run the same kernels on
# larger shapes), and the simd-bench verify conformance run (every golden case,
# every backend) built with ASan. Set FILTER=. for every suite.
#
# Measured on the 2-core development machine: see README ("Continuous
# integration"). Exit status non-zero on any report (ASan halts on the first).
set -euo pipefail
cd "$(dirname "$0")/.."
FILTER="${FILTER:-Hostile|Validation|Scheduler|Apply|ExactScan|Window|Misalignment|Property|Reference|API|ExpAccuracy}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0}"
swift test --sanitize=address --scratch-path .build-asan --filter "$FILTER"
swift build --sanitize=address --scratch-path .build-asan --product simd-bench
.build-asan/debug/simd-bench verify | tail -n 1
echo "AddressSanitizer: no report"
