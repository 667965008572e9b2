#!/usr/bin/env bash
# Draws time per step against n (the paper's Figure 6) from simd-bench train /
# peer_pytorch.py JSON files into a PNG; see perf/plot.py.
#
#   swift run -c release simd-bench train --json perf/out/train.json
#   perf/plot.sh perf/out/train.json [perf/out/pytorch.json ...] -o perf/out/figure6.png
#
# Makes perf/.venv and installs matplotlib from PyPI the first time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet matplotlib
fi
exec "$venv/bin/python" "$here/plot.py" "$@"
