#!/usr/bin/env bash
# UndefinedBehaviorSanitizer. `swift test --sanitize=undefined` is rejected by
# this toolchain on x86_64 Linux ("unsupported option '-sanitize=undefined'",
# measured with Swift 6.3.1), and Swift code traps on overflow and bounds in
# every build anyway; the C kernels are where UB can hide. So this script
# builds the CSimd kernels with -fsanitize=undefined (halting on the first
# report) and drives them with the fuzz harness's deterministic main on seeds
# 0, 1, 2, ... for UBSAN_SECONDS (default 30), against the double reference.
# (.ci/fuzz.sh also runs the libFuzzer build with ASan and UBSan together.)
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG="${CLANG:-$(command -v clang || echo /opt/swift/usr/bin/clang)}"
mkdir -p .build-ubsan
"$CLANG" -O1 -g -ICSimd/include -DCSIMD_FUZZ_MAIN -fsanitize=undefined -fno-sanitize-recover=undefined -fuse-ld=lld \
    CSimd/*.c .ci/fuzz/csimd_fuzz.c -o .build-ubsan/csimd_ubsan -lm
.build-ubsan/csimd_ubsan "${UBSAN_SECONDS:-30}"
echo "UndefinedBehaviorSanitizer: no report"
