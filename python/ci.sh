#!/usr/bin/env bash
# The Python package's CI block (called by .ci/run): installs what the tests
# need when missing (numpy, pytest, torch), runs `pip install ./python` (which
# builds libsoftsortkit.so with the Swift toolchain), then the pytest suite,
# torch and the C ABI test program included.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"

need=()
"$python" -c 'import numpy' 2>/dev/null || need+=(numpy)
"$python" -c 'import pytest' 2>/dev/null || need+=(pytest)
if ! "$python" -c 'import torch' 2>/dev/null; then
    # A CPU-only wheel in pip's find-links beats the default wheel, which brings GBs of CUDA libraries.
    spec=torch
    for dir in $("$python" -m pip config get global.find-links 2>/dev/null || true); do
        wheel=$(ls "$dir"/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -1 || true)
        [[ -n "$wheel" ]] && spec="torch==$(basename "$wheel" | cut -d- -f2)"
    done
    need+=("$spec")
fi
if (( ${#need[@]} )); then
    echo "python/ci.sh: installing ${need[*]}"
    "$python" -m pip install --quiet "${need[@]}"
fi
"$python" -c 'import torch, numpy, pytest; print("torch", torch.__version__, "numpy", numpy.__version__)'

start=$(date +%s)
"$python" -m pip install --quiet --force-reinstall --no-deps ./python
echo "python/ci.sh: pip install ./python took $(( $(date +%s) - start )) s"
"$python" -c 'import softsortkit, os; p = softsortkit._library.lib.path; print("installed", p, os.path.getsize(p), "bytes")'

# From the repository root: python/ is not on sys.path, so the installed package is the one tested.
"$python" -m pytest -q python/tests
