#!/usr/bin/env bash
# softsortkit.jax in CI: installs jax and jaxlib (CPU) from PyPI when missing,
# installs ./python unless the `python` step already did (the XLA FFI handlers
# are in its libsoftsortkit.so), then runs the JAX tests
# (python/tests/test_jax.py) and the paper's sorting task as a jitted JAX
# training step on small data (examples/jax_sorting.py; it exits 1 when the
# loss does not fall or a row ends unsorted).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"

if ! "$python" -c 'import jax, jaxlib' 2>/dev/null; then
    echo ".ci/jax.sh: installing jax jaxlib"
    "$python" -m pip install --quiet jax jaxlib
fi
"$python" -c 'import numpy, pytest' 2>/dev/null || "$python" -m pip install --quiet numpy pytest
if ! "$python" -c 'import softsortkit._library as l; l.lib.xla_ranks' 2>/dev/null; then
    "$python" -m pip install --quiet --force-reinstall --no-deps ./python
fi
"$python" -c 'import jax, softsortkit; print("jax", jax.__version__, "softsortkit", softsortkit.__version__)'

# From the repository root: python/ is not on sys.path, so the installed package is the one tested.
"$python" -m pytest -q python/tests/test_jax.py
"$python" examples/jax_sorting.py --n 300 --batch 4 --steps 150 --power 2
