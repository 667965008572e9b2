// swift-tools-version: 6.1
// SoftSortKit's package-benchmark suites. A package of its own, so that the
// library's dependency graph stays clean; see README.md, "Profiling and benchmarks".
//
//     cd Benchmarks && swift package benchmark                      # run every suite
//     swift package benchmark thresholds check                      # mallocs against Thresholds/
import PackageDescription

let package = Package(
    name: "SoftSortKitBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        // Named, so the product reference does not depend on the checkout folder's name.
        .package(name: "SoftSortKit", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Inputs and the metrics configuration every suite shares.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/BenchmarkSupport"),
    ] + [
        "DenseSoftSortBenchmarks", "NeuralSortBenchmarks", "FusedApplyBenchmarks", "ExactScanBenchmarks",
        "FusedLossBenchmarks", "GaussLossBenchmarks", "RadixArgsortBenchmarks", "WindowBenchmarks",
    ].map { suite in
        .executableTarget(
            name: suite,
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SoftSortKit", package: "SoftSortKit"),
            ],
            path: "Benchmarks/\(suite)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")])
    },
    swiftLanguageModes: [.v6]
)
