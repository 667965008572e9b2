#!/usr/bin/env bash
# A real process under an address-space limit. In a child shell
# with `ulimit -v` at LIMIT_GIB (default 8) GiB, `simd-bench dense-forward`
# asks for a dense SoftSort p = 2 forward (and a NeuralSort one) at n = 60 000,
# B = 1, whose P alone is 14.4 GB: each must exit with status 3 and the typed
# insufficientMemory text (the bytes needed, the bytes available, the path
# that forms no matrix), not "Fatal error: failed to allocate" (a trap, status
# 132/133/134). A control at n = 2000 (16 MB) must succeed under the same limit.
# Uses the debug build `swift test` leaves (an incremental build of
# simd-bench); CONFIGURATION=release for the release one.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${CONFIGURATION:-debug}"
limit_kib=$(( ${LIMIT_GIB:-8} << 20 ))
swift build -c "$configuration" --product simd-bench
bin="$(swift build -c "$configuration" --show-bin-path)/simd-bench"
failures=0

# Runs simd-bench dense-forward ARGS under the limit; sets $status and $output.
limited() {
    set +e
    output=$( (ulimit -v "$limit_kib" && exec "$bin" dense-forward "$@") 2>&1 )
    status=$?
    set -e
}

check_refused() {
    local method=$1 needed=$2 alternative=$3
    limited --method "$method" --count 60000 --batch 1
    echo "$method n = 60000 under ulimit -v $limit_kib KiB: exit $status: $output"
    local available
    available=$(sed -n 's/.*may use only \([0-9]*\) more.*/\1/p' <<<"$output")
    if [[ $status -ne 3 ]] || ! grep -q "SoftSortError.insufficientMemory: the call needs $needed bytes" <<<"$output" \
        || [[ -z "$available" ]] || (( available >= limit_kib * 1024 )) || ! grep -qF "$alternative" <<<"$output" \
        || grep -q "Fatal error" <<<"$output"; then
        echo "memory-limit: FAIL ($method: expected exit 3, insufficientMemory for $needed bytes, available < the limit, '$alternative')"
        failures=$(( failures + 1 ))
    fi
}

check_refused softsort 14400000000 "path: .fused, .exact (p = 1) and .gauss (p = 2) form no matrix"
check_refused neuralsort 14400000000 "NeuralSort needs its B x n x n matrices"

limited --method softsort --count 2000 --batch 1
echo "control softsort n = 2000 under the same limit: exit $status: $output"
if [[ $status -ne 0 ]]; then
    echo "memory-limit: FAIL (the control must fit)"
    failures=$(( failures + 1 ))
fi

(( failures == 0 )) && echo "memory-limit: every check passed" || exit 1
