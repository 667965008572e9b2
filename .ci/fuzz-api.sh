#!/usr/bin/env bash
# libFuzzer (with AddressSanitizer) over SoftSortKit's public Swift API
# (Fuzz/: its own package, depending on this one by path, so the library's
# manifest carries no sanitizer flags). The bytes become an operator, its
# parameters, a shape (extreme integers included), scores, targets, values,
# upstream gradients and workspace reuse; each call must return a typed error
# or finite results of the documented length (Fuzz/Sources/SoftSortKitFuzz).
# Runs FUZZ_API_RUNS executions (default 60000, about 90 s here) from a fixed
# seed with a fixed thread count, starting from the corpus kept in
# Fuzz/Corpus, so that a run explores the same inputs on every machine and a
# green commit stays green; new inputs go to .build-fuzz-api/corpus (emptied
# first). Longer runs with other seeds look for new findings:
#     FUZZ_API_SEED=7 FUZZ_API_RUNS=1000000 .ci/fuzz-api.sh
# Prints libFuzzer's final statistics: executions, per second.
# A failure aborts with the input saved as .build-fuzz-api/crash-*: add it to
# Fuzz/Corpus and a regression test to Tests/SoftSortKitTests/Hostile/.
set -euo pipefail
cd "$(dirname "$0")/.."
# ASan and libFuzzer print the failing stack; Swift's own backtracer would
# only add minutes of symbolication to a failure.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
RUNS="${FUZZ_API_RUNS:-60000}"
SEED="${FUZZ_API_SEED:-20261207}"
# The scheduler's coverage depends on the thread count: fixed, for the same
# exploration everywhere (results do not depend on it).
export SOFTSORT_THREADS=2
OUT=$PWD/.build-fuzz-api
# Each run starts from Fuzz/Corpus alone, as on a clean clone.
rm -rf "$OUT/corpus"
mkdir -p "$OUT/corpus"
(cd Fuzz && swift build -c debug --product SoftSortKitFuzz -Xswiftc -sanitize=fuzzer,address)
FUZZER="$(cd Fuzz && swift build -c debug --product SoftSortKitFuzz -Xswiftc -sanitize=fuzzer,address --show-bin-path)/SoftSortKitFuzz"
cd "$OUT"
if "$FUZZER" -runs="$RUNS" -max_total_time=1200 -seed="$SEED" -max_len=512 -rss_limit_mb=4096 -timeout=30 \
    -print_final_stats=1 corpus ../Fuzz/Corpus > fuzz.log 2>&1; then
    grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss)" fuzz.log || true
else
    tail -n 60 fuzz.log
    echo "SoftSortKitFuzz: failure; the input is saved as .build-fuzz-api/crash-*"
    exit 1
fi
echo "SoftSortKitFuzz: no failure in $RUNS runs from seed $SEED"
