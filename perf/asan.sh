#!/usr/bin/env bash
# AddressSanitizer over the library and its tests (Swift and the CSimd C
# kernels are both instrumented), in its own scratch folder.
#
# `swift test --sanitize=address` over the suites given by FILTER (a
# `swift test --filter` regular expression; default: the hostile-input typed
# errors and finiteness suites, misaligned kernels, validation, the scheduler
# and the exact scans: every path, every backend, the C kernels at misaligned
# offsets), then the simd-bench verify conformance run (every golden case,
# every backend) built with ASan. FILTER=. runs every suite (measured: 93
# tests of 18 suites took 13 min under ASan on the loaded 2-core machine).
#
# Measured on the 2-core development machine: see README ("Continuous
# integration"). Exit status non-zero on any report (ASan halts on the first).
set -euo pipefail
cd "$(dirname "$0")/.."
FILTER="${FILTER:-HostileValidationTests|HostileFinitenessTests|MisalignmentTests|ValidationTests|SchedulerTests|ExactScanTests}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0}"
swift test --sanitize=address --scratch-path .build-asan --filter "$FILTER"
swift build --sanitize=address --scratch-path .build-asan --product simd-bench
# The top-level golden cases only: the loss cases (golden/loss/, up to n = 4000
# on the dense path) take too long in a debug ASan build; the loss paths'
# memory accesses are covered by the suites above and by the fuzzer.
golden="$(cd ../shared/golden && pwd)"
cases="$(mktemp -d)"
ln -s "$golden"/*.json "$cases"/
.build-asan/debug/simd-bench verify --cases "$cases" | tail -n 1
rm -rf "$cases"
echo "AddressSanitizer: no report"
