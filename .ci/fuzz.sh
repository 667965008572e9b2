#!/usr/bin/env bash
# libFuzzer (with AddressSanitizer and UndefinedBehaviorSanitizer) over the
# CSimd AVX2 kernels against a double reference (.ci/fuzz/csimd_fuzz.c), for
# FUZZ_SECONDS seconds (default 60) from a fixed seed. The toolchain's clang ships
# libclang_rt.fuzzer; where it does not, the same harness runs under ASan from
# its own main on seeds 0, 1, 2, ... (CSIMD_FUZZ_MAIN). Skipped, and says so,
# on a CPU without AVX2 and FMA (the harness then returns at once).
#
# Any out-of-bounds access, undefined behaviour or result outside the
# tolerance aborts with the input saved as crash-* in .build-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
CLANG="${CLANG:-$(command -v clang || echo /opt/swift/usr/bin/clang)}"
mkdir -p .build-fuzz
SOURCES=(CSimd/*.c .ci/fuzz/csimd_fuzz.c)
FLAGS=(-O1 -g -ICSimd/include -fno-sanitize-recover=undefined -fuse-ld=lld)
if "$CLANG" "${FLAGS[@]}" -fsanitize=fuzzer,address,undefined "${SOURCES[@]}" -o .build-fuzz/csimd_fuzz -lm 2>/dev/null; then
    cd .build-fuzz
    if ./csimd_fuzz -max_total_time="$SECONDS_TO_RUN" -seed=20201 -max_len=64 -print_final_stats=1 > fuzz.log 2>&1; then
        grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss)" fuzz.log || true
    else
        tail -n 40 fuzz.log
        echo "csimd_fuzz: failure; the input is saved as .build-fuzz/crash-*"
        exit 1
    fi
else
    echo "libFuzzer is not available to $CLANG: running the deterministic driver under ASan instead"
    "$CLANG" "${FLAGS[@]}" -DCSIMD_FUZZ_MAIN -fsanitize=address,undefined "${SOURCES[@]}" -o .build-fuzz/csimd_fuzz_main -lm
    .build-fuzz/csimd_fuzz_main "$SECONDS_TO_RUN"
fi
echo "csimd_fuzz: no failure in ${SECONDS_TO_RUN} s"
