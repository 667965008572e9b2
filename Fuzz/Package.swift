// swift-tools-version: 6.1
// A libFuzzer target for SoftSortKit's public API. A package of its own, so
// that the library's manifest carries no sanitizer flags: .ci/fuzz-api.sh
// builds it with them on the command line,
//
//     cd Fuzz && swift build --product SoftSortKitFuzz -Xswiftc -sanitize=fuzzer,address
//     .build/debug/SoftSortKitFuzz -max_total_time=60 /tmp/corpus Corpus
import PackageDescription

let package = Package(
    name: "SoftSortKitFuzz",
    dependencies: [
        .package(name: "SoftSortKit", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "SoftSortKitFuzz",
            dependencies: [.product(name: "SoftSortKit", package: "SoftSortKit")]),
    ],
    swiftLanguageModes: [.v6]
)
