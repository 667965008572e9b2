import ArgumentParser

@main
struct SimdBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simd-bench",
        abstract: "SoftSortKit's benchmark and conformance tool.",
        subcommands: [Quick.self, Verify.self, Scaling.self],
        defaultSubcommand: Quick.self)
}
