// NeuralSort (the O(n^2) association, B x n x n): forward and backward,
// tau = 100, one row (B = 1) of n in {64, 512, 4096}, Float, the preferred backend,
// 1 thread (kernels, not the scheduler), one DenseWorkspace reused by every call
// (the allocation-free training-loop path).
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    for n in [64, 512, 4096] {
        let scores = NeuralInputs.scores(count: n, seed: 1)
        let gradient = NeuralInputs.scores(count: n * n, seed: 2)
        let neuralSort = NeuralSort(temperature: 100, threads: 1)

        // The closure runs once per sample: a workspace made out here is sized by
        // the warm-up and reused by every measured call.
        let forwardWorkspace = DenseWorkspace<Float>()
        Benchmark("neuralsort-forward-n\(n)", configuration: NeuralInputs.configuration(n)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try neuralSort.forward(scores: scores, batch: 1, count: n, workspace: forwardWorkspace))
            }
        }

        let backwardWorkspace = DenseWorkspace<Float>()
        Benchmark("neuralsort-backward-n\(n)", configuration: NeuralInputs.configuration(n)) { benchmark in
            let result = try neuralSort.forward(scores: scores, batch: 1, count: n, workspace: backwardWorkspace)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try result.backward(gradient))
            }
            benchmark.stopMeasurement()
        }
    }
}

enum NeuralInputs {
    /// Uniform values in [-1, 1) from a SplitMix64 stream: inputs repeat exactly.
    static func scores(count: Int, seed: UInt64) -> [Float] {
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
