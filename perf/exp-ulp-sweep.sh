#!/usr/bin/env bash
# Exhaustive ULP sweep of CSimd's exp (csimd_f32_expminus_u2__avx2_u32): every
# float in [-87.3, 0] (about 1.1e9 of them) against double exp. Builds a small
# C program with the Swift toolchain's clang and the CSimd sources (no special
# flags: the kernels carry their own target attributes). Exits 1 above 2 ULP.
#   perf/exp-ulp-sweep.sh [LOW]      # LOW defaults to -87.3
set -euo pipefail
cd "$(dirname "$0")/.."
out=perf/out; mkdir -p "$out"
cc=${CC:-clang}
"$cc" -O2 -ICSimd/include perf/exp-ulp-sweep.c CSimd/f32_expminus__avx2.c CSimd/cpu_probe.c \
    -lm -o "$out/exp-ulp-sweep"
"$out/exp-ulp-sweep" "${1:--87.3}"
