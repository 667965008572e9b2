#!/usr/bin/env bash
# ThreadSanitizer over the multi-threaded paths.
#
# 1. `swift test --sanitize=thread`: every test, the scheduler's determinism
#    test included (1, 2, 3 and 8 threads).
# 2. `simd-bench scaling` and `simd-bench verify` built with TSan: driven from
#    the main thread, so concurrentPerform certainly spreads the work over
#    worker threads (inside the test runner, which itself runs on Dispatch's
#    workers, it may run some loops inline).
#
# Takes about 4.5 minutes on the 2-core development machine from an empty
# .build-tsan (measured: 4 min 24 s for all of it, the tests about 1.5 min of
# that); no report.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test --sanitize=thread --scratch-path .build-tsan
swift build --sanitize=thread --scratch-path .build-tsan --product simd-bench
TSAN_OPTIONS=halt_on_error=1 .build-tsan/debug/simd-bench scaling --n 200 --batch 4 --repetitions 1
TSAN_OPTIONS=halt_on_error=1 .build-tsan/debug/simd-bench verify | tail -n 1
echo "ThreadSanitizer: no report"
