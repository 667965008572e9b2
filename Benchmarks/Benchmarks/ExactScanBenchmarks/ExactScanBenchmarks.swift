// The exact O(n log n) p = 1 path (`ExactSoftSort`, scans, no n x n matrix):
// the training step's forward + cross-entropy (loss and gradient against the
// identity) and P s with its backward, tau = 0.1, B = 8 rows (one SIMD block
// of Float lanes) of n in {64, 512, 4096}, Float, 1 thread.
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    let batch = 8
    for n in [64, 512, 4096] {
        let scores = ScanInputs.uniform(count: batch * n, seed: 1)
        let gradient = ScanInputs.uniform(count: batch * n, seed: 2)
        let targets = (0..<batch * n).map { $0 % n }
        let exact = ExactSoftSort(temperature: 0.1, threads: 1)

        Benchmark("exact-crossentropy-B\(batch)-n\(n)", configuration: ScanInputs.configuration(n)) { benchmark in
            for _ in benchmark.scaledIterations {
                let result = try exact.forward(scores: scores, batch: batch, count: n)
                blackHole(try result.crossEntropy(targets: targets))
            }
        }

        Benchmark("exact-sorted-values-B\(batch)-n\(n)", configuration: ScanInputs.configuration(n)) { benchmark in
            for _ in benchmark.scaledIterations {
                let result = try exact.forward(scores: scores, batch: batch, count: n)
                blackHole(result.sortedValues())
                blackHole(try result.backwardOfSortedValues(gradient))
            }
        }
    }
}

enum ScanInputs {
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
            maxIterations: 1000,
            thresholds: [
                .wallClock: .init(), .throughput: .init(),
                .mallocCountTotal: .init(absolute: [.p90: 0]),
            ])
    }
}
