#!/usr/bin/env bash
# Builds and runs README.md's first ```swift block under "## Quick start" as the
# main.swift of a fresh package that depends on this one by path.
# Usage: perf/quickstart-consumer.sh            (from the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Sources/Consumer"
awk '/^## Quick start/{q=1} q&&/^```swift/{f=1;next} f&&/^```/{exit} f' "$root/README.md" > "$work/Sources/Consumer/main.swift"
test -s "$work/Sources/Consumer/main.swift" || { echo "no swift block under ## Quick start"; exit 1; }
cat > "$work/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "Consumer",
    dependencies: [.package(path: "$root")],
    targets: [.executableTarget(name: "Consumer", dependencies: [.product(name: "SoftSortKit", package: "$(basename "$root")")])]
)
SWIFT
cd "$work"
swift build 2>&1 | tail -3
swift run Consumer
