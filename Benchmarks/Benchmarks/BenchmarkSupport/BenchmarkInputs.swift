// What every suite shares: repeatable inputs and the metrics configuration.
import Benchmark

public enum BenchmarkInputs {
    /// Uniform values in [-1, 1) from a SplitMix64 stream: inputs repeat exactly.
    public static func uniform(count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(Double(z >> 11) * 0x1p-53 * 2 - 1)
        }
    }

    /// Wall clock, throughput and mallocs; only mallocs have a tolerance
    /// (exact at p90), the others are reported and never fail a check.
    public static func configuration(maxIterations: Int) -> Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            warmupIterations: 1,
            maxDuration: .seconds(1),
            maxIterations: maxIterations,
            thresholds: [
                .wallClock: .init(), .throughput: .init(),
                .mallocCountTotal: .init(absolute: [.p90: 0]),
            ])
    }
}
