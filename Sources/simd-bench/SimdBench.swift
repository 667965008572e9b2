import ArgumentParser

@main
struct SimdBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simd-bench",
        abstract: "SoftSortKit's benchmark and conformance tool.",
        subcommands: [Train.self, Quick.self, Verify.self, Scaling.self, ScanCommand.self, KernelsCommand.self, DenseForwardCommand.self, PathsCommand.self, GridCommand.self, LatencyCommand.self],
        defaultSubcommand: Train.self)
}
