// Fused apply Y = P V without forming P (`SoftSort.apply`), forward and
// backward, p = 1 and p = 2, tau = 0.1, V = s (d = 1), one row (B = 1) of
// n in {64, 512, 4096}, Float, the preferred backend, 1 thread.
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    for power in [1.0, 2.0] {
        for n in [64, 512, 4096] {
            let scores = ApplyInputs.uniform(count: n, seed: 1)
            let gradient = ApplyInputs.uniform(count: n, seed: 2)
            let softSort = SoftSort(temperature: 0.1, power: power, threads: 1)
            let name = "apply-p\(Int(power))"

            Benchmark("\(name)-forward-n\(n)", configuration: ApplyInputs.configuration(n)) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try softSort.apply(to: scores, scores: scores, batch: 1, count: n))
                }
            }

            Benchmark("\(name)-backward-n\(n)", configuration: ApplyInputs.configuration(n)) { benchmark in
                let product = try softSort.apply(to: scores, scores: scores, batch: 1, count: n)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(try product.backward(gradient))
                }
                benchmark.stopMeasurement()
            }
        }
    }
}

enum ApplyInputs {
    /// Uniform values in [-1, 1) from a SplitMix64 stream: inputs repeat exactly.
    static func uniform(count: Int, seed: UInt64) -> [Float] {
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
    static func configuration(_ n: Int) -> Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            warmupIterations: 1,
            maxDuration: .seconds(1),
            maxIterations: n >= 4096 ? 20 : 1000,
            thresholds: [
                .wallClock: .init(), .throughput: .init(),
                .mallocCountTotal: .init(absolute: [.p90: 0]),
            ])
    }
}
