#!/usr/bin/env bash
# The wheel as a user without Swift gets it: `pip wheel ./python` once (and
# the sdist beside it); `auditwheel show` must find the wheel consistent with
# the manylinux tag it carries; then a fresh virtual environment, with the
# Swift toolchain off PATH and LD_LIBRARY_PATH empty, installs the wheel with
# no index (its dependency, NumPy, and the tests' PyTorch and pytest come
# from the system's site-packages: --system-site-packages; the venv's own
# softsortkit comes first on sys.path, and the test below proves it) and runs the
# Python tests there. Prints the tag, auditwheel's report and the install time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="${PYTHON:-python3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# PyTorch, NumPy and pytest for the tests, as python/ci.sh finds them.
"$python" -c 'import torch, numpy, pytest' 2>/dev/null || {
    echo "wheel: the tests need numpy, pytest and torch in $python (python/ci.sh installs them)"; exit 1; }

began=$(date +%s)
"$python" -m pip wheel --quiet --no-deps --no-build-isolation -w "$work/dist" "$root/python"
wheel=$(ls "$work"/dist/softsortkit-*.whl)
tag=$(basename "$wheel" .whl | cut -d- -f5)
echo "wheel: built $(basename "$wheel") ($(stat -c %s "$wheel") bytes) in $(( $(date +%s) - began )) s"

# The sdist, unpacked read-only, builds a wheel with the same tag (from its own swift/ folder).
mkdir "$work/sdist"
sdist=$("$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import softsortkit_build as b; print(b.build_sdist(sys.argv[2]))' \
    "$root/python/build_backend" "$work/sdist")
tar -xzf "$work/sdist/$sdist" -C "$work/sdist"
unpacked="$work/sdist/${sdist%.tar.gz}"
if grep -q "swift-argument-parser\|\.package(" "$unpacked/swift/Package.swift"; then
    echo "wheel: the sdist's Package.swift has package dependencies"; exit 1
fi
chmod -R a-w "$unpacked"
(cd "$work" && SOFTSORTKIT_SOURCE_DIR="" "$python" -m pip wheel --quiet --no-deps --no-build-isolation \
    -w "$work/from-sdist" "$unpacked")
chmod -R u+w "$unpacked"
from_sdist=$(basename "$(ls "$work"/from-sdist/softsortkit-*.whl)")
[[ "$from_sdist" == "$(basename "$wheel")" ]] || { echo "wheel: the sdist built $from_sdist"; exit 1; }
echo "wheel: $sdist ($(stat -c %s "$work/sdist/$sdist") bytes), unpacked read-only, built $from_sdist"

# auditwheel (PyPI) in a venv of its own: the tag it reads from the library must be the wheel's.
"$python" -m venv "$work/auditwheel"
"$work/auditwheel/bin/pip" install --quiet auditwheel
report=$("$work/auditwheel/bin/auditwheel" show "$wheel")
echo "$report"
consistent=$(echo "$report" | tr -s ' \n' ' ' | sed -n 's/.*consistent with the following platform tag: "\([^"]*\)".*/\1/p')
if [[ "$consistent" != "$tag" ]]; then
    echo "wheel: the wheel is tagged $tag but auditwheel finds it consistent with '$consistent'"; exit 1
fi

# PATH without any folder that holds swift or swiftc.
clean_path=""
IFS=: read -ra dirs <<< "$PATH"
for dir in "${dirs[@]}"; do
    [[ -x "$dir/swift" || -x "$dir/swiftc" ]] || clean_path="${clean_path:+$clean_path:}$dir"
done
run_clean() { env -u LD_LIBRARY_PATH -u SOFTSORTKIT_LIBRARY_PATH PATH="$work/venv/bin:$clean_path" "$@"; }

"$python" -m venv --system-site-packages "$work/venv"
run_clean bash -c '! command -v swift >/dev/null' || { echo "wheel: swift is still on PATH"; exit 1; }
began=$(date +%s%N)
# --force-reinstall: a softsortkit in the system's site-packages must not satisfy the request.
run_clean "$work/venv/bin/python" -m pip install --quiet --no-index --no-deps --force-reinstall "$wheel"
echo "wheel: pip install of the wheel into the fresh venv took $(( ($(date +%s%N) - began) / 1000000 )) ms"
# Its dependencies are there (pip check would judge the system's packages too).
{ run_clean "$work/venv/bin/python" -m pip check 2>&1 || true; } | { ! grep -i softsortkit; }

cd "$work"  # nothing of the clone's python/ on sys.path: the installed package is the one tested
run_clean "$work/venv/bin/python" - "$work/venv" <<'PY'
import pathlib, subprocess, sys
import softsortkit
library = pathlib.Path(softsortkit._library.lib.path)
assert library.is_relative_to(sys.argv[1]), f"softsortkit is not the venv's: {library}"
print("wheel: imported", softsortkit.__file__, "library", softsortkit.library_version(), "backend", softsortkit.backend())
needed = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=True).stdout
print(needed)
assert "swift" not in needed.lower() and "not found" not in needed, needed
PY
run_clean "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$root/python/tests"
