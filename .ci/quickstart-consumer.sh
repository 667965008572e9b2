#!/usr/bin/env bash
# The README's Swift quick start, compiled and run the way a user would: a
# fresh package, Consumer, beside a folder named SoftSortKit (a link to this
# repository), depends on it with `.package(path: "../SoftSortKit")`, as the
# README's "Install" section writes it, and its main.swift is the first
# ```swift block under "## Quick start" in README.md, taken verbatim. Fails if
# that block is missing, does not compile against the library, or throws.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The identity of a path dependency is its folder's name, whatever this clone is called.
ln -s "$root" "$work/SoftSortKit"
mkdir -p "$work/Consumer/Sources/Consumer"
awk '/^## Quick start/{q=1} q&&/^```swift/{f=1;next} f&&/^```/{exit} f' "$root/README.md" \
    > "$work/Consumer/Sources/Consumer/main.swift"
test -s "$work/Consumer/Sources/Consumer/main.swift" || { echo "quickstart: no swift block under ## Quick start"; exit 1; }
cat > "$work/Consumer/Package.swift" <<'SWIFT'
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [.package(path: "../SoftSortKit")],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [.product(name: "SoftSortKit", package: "SoftSortKit")])
    ]
)
SWIFT
cd "$work/Consumer"
swift build 2>&1 | tail -n 20
swift run --skip-build Consumer
echo "quickstart: the README's quick start builds and runs"
