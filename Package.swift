// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SoftSortKit",
    products: [
        .library(name: "SoftSortKit", targets: ["SoftSortKit"]),
        .library(name: "SoftSortKitDifferentiable", targets: ["SoftSortKitDifferentiable"]),
        .executable(name: "simd-bench", targets: ["simd-bench"]),
        .executable(name: "paper-tasks", targets: ["paper-tasks"]),
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The paper's three experiments on handwritten digits: the task logic
        // in PaperTasks, the command line in paper-tasks (its README and plot script beside it).
        .target(name: "PaperTasks", dependencies: ["SoftSortKit"]),
        .executableTarget(
            name: "paper-tasks",
            dependencies: ["PaperTasks", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: ["README.md", "plot_paper_tasks.py"]
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
        .testTarget(name: "PaperTasksTests", dependencies: ["PaperTasks"]),
    ],
    swiftLanguageModes: [.v6]
)
