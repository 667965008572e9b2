// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SoftSortKit",
    products: [
        .library(name: "SoftSortKit", targets: ["SoftSortKit"]),
        .library(name: "SoftSortKitDifferentiable", targets: ["SoftSortKitDifferentiable"]),
        .executable(name: "simd-bench", targets: ["simd-bench"]),
        // The C ABI (include/softsortkit.h) as a shared library; python/ bundles it.
        .library(name: "softsortkit", type: .dynamic, targets: ["SoftSortKitCABI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Public API
        .target(
            name: "SoftSortKit",
            dependencies: ["CSimd"]
        ),
        // Derivatives for Swift's differentiable programming (`import
        // _Differentiation`), kept out of the main library.
        .target(
            name: "SoftSortKitDifferentiable",
            dependencies: ["SoftSortKit"]
        ),
        .executableTarget(
            name: "simd-bench",
            dependencies: [
                "SoftSortKit",
                "SoftSortKitDifferentiable",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The C ABI: @_cdecl exports declared in include/softsortkit.h.
        .target(name: "SoftSortKitCABI", dependencies: ["SoftSortKit"]),

        // MARK: - Implementation details
        // AVX2+FMA kernels and the CPU probe. No flags: every AVX2 function
        // carries `__attribute__((target("avx2,fma")))` and is chosen at run time.
        .target(name: "CSimd", path: "CSimd"),

        // MARK: - Tests
        .testTarget(name: "SoftSortKitTests", dependencies: ["SoftSortKit"]),
        .testTarget(
            name: "SoftSortKitDifferentiableTests", dependencies: ["SoftSortKit", "SoftSortKitDifferentiable"]),
    ],
    swiftLanguageModes: [.v6]
)
