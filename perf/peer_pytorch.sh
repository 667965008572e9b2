#!/usr/bin/env bash
# The PyTorch peer of `simd-bench train` (see perf/README.md).
#
#   perf/peer_pytorch.sh --install            # once: make perf/.venv and install torch (CPU)
#   perf/peer_pytorch.sh [peer_pytorch.py options]
#   perf/peer_pytorch.sh --tuned [options]    # the same with glibc malloc tuned (see below)
#
# torch is a large download; it is installed only when --install is given.
# pip looks in its configured find-links first, so a local CPU-only wheel is
# preferred over PyPI's (which pulls the CUDA libraries).
#
# --tuned sets MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ so glibc keeps
# freed n x n temporaries instead of returning them to the kernel and faulting
# fresh pages in on every step.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="$venv/bin/python"

if [[ "${1:-}" == "--install" ]]; then
    shift
    [[ -x "$python" ]] || python3 -m venv "$venv"
    "$python" -m pip install --quiet --upgrade pip
    # A CPU-only wheel in pip's find-links (this machine has one) beats PyPI's default
    # wheel, which brings several GB of CUDA libraries. Pin its exact version when present.
    spec=torch
    for dir in $("$python" -m pip config get global.find-links 2>/dev/null || true); do
        wheel=$(ls "$dir"/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -1 || true)
        if [[ -n "$wheel" ]]; then
            spec="torch==$(basename "$wheel" | cut -d- -f2)"
        fi
    done
    echo "installing $spec" >&2
    "$python" -m pip install "$spec" numpy
    "$python" -c 'import torch; print("torch", torch.__version__, "CUDA built:", torch.version.cuda)'
    [[ $# -eq 0 ]] && exit 0
fi

if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "torch is not installed in $venv; run: perf/peer_pytorch.sh --install (a large download, once)" >&2
    exit 2
fi

if [[ "${1:-}" == "--tuned" ]]; then
    shift
    # 4 GiB: every B x n x n float32 temporary up to n = 4000, B = 20 (1.28 GB) is then served from the
    # heap and kept after free. glibc 2.36 here accepts a threshold this large (checked: a 1.5 GB malloc
    # then moves the break, and free keeps it).
    export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-4294967296}"
    export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-4294967296}"
    echo "glibc tuned: MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_=$MALLOC_TRIM_THRESHOLD_" >&2
fi

exec "$python" "$here/peer_pytorch.py" "$@"
