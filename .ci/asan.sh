#!/usr/bin/env bash
# AddressSanitizer over the library and its tests (Swift and the CSimd C
# kernels are both instrumented), in its own scratch folder.
#
# `swift test --sanitize=address` over the suites given by FILTER (a
# `swift test --filter` regular expression; default: the hostile-input typed
# errors and finiteness suites, misaligned kernels, validation, the scheduler
# and the exact scans: every path, every backend, the C kernels at misaligned
# offsets), then `simd-bench verify` built with ASan on the golden cases in
# data/golden (every backend, both precisions, the loss paths). FILTER=. runs
# every suite (much longer: a debug ASan build runs several times slower).
#
# Exit status non-zero on any report (ASan halts on the first).
set -euo pipefail
cd "$(dirname "$0")/.."
FILTER="${FILTER:-HostileValidationTests|HostileFinitenessTests|MisalignmentTests|ValidationTests|SchedulerTests|ExactScanTests}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0}"
swift test --sanitize=address --scratch-path .build-asan --filter "$FILTER"
swift build --sanitize=address --scratch-path .build-asan --product simd-bench
.build-asan/debug/simd-bench verify --cases data/golden | grep -v "^PASS "   # the failures and the count
echo "AddressSanitizer: no report"
