#!/usr/bin/env bash
# The C library as a C user installs it: the Python package's build backend
# builds libsoftsortkit.so and installs it with its SONAME, the header and
# softsortkit.pc under a fresh prefix; a small C program
# (Tests/CABI/pkg_config_consumer.c) is compiled with `pkg-config --cflags
# --libs softsortkit` alone and run with the prefix's lib/ as its only
# library path. Fails if the SONAME is missing, if the program needs the
# library by another name, or if it carries an rpath into a build folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="${PYTHON:-python3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

"$python" "$root/python/build_backend/softsortkit_build.py" --prefix "$prefix"
abi=$(sed -n 's/^#define SOFTSORTKIT_ABI_VERSION \([0-9]*\)$/\1/p' "$prefix/include/softsortkit.h")
soname=$(readelf -d "$prefix/lib/libsoftsortkit.so.$abi" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ "$soname" == "libsoftsortkit.so.$abi" ]] || { echo "c-library: SONAME is '$soname', expected libsoftsortkit.so.$abi"; exit 1; }
echo "c-library: installed:"; (cd "$prefix" && find . -type f -o -type l | sort)

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs softsortkit)
echo "c-library: pkg-config softsortkit $(pkg-config --modversion softsortkit): $flags"
cc -std=c11 -Wall -Wextra -Werror "$root/Tests/CABI/pkg_config_consumer.c" $flags -o "$work/consumer"
readelf -d "$work/consumer" | grep -q "NEEDED.*\[libsoftsortkit.so.$abi\]" || {
    echo "c-library: the program does not need libsoftsortkit.so.$abi"; readelf -d "$work/consumer"; exit 1; }
if readelf -d "$work/consumer" | grep -E "RPATH|RUNPATH"; then echo "c-library: the program has an rpath"; exit 1; fi
env LD_LIBRARY_PATH="$prefix/lib" "$work/consumer"
