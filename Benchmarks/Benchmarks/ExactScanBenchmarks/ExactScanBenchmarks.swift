// The exact O(n log n) p = 1 path (`SoftSort(power: 1)`, path `.exact`: scans,
// no n x n matrix): the training step's forward + cross-entropy (loss and
// gradient against the identity) without a workspace, the same with a reused
// `Workspace` passed to the forward (no allocation in steady state), and
// P s with its backward, tau = 0.1, B = 8 rows (one SIMD block of Float lanes)
// of n in {64, 512, 4096}, Float, 1 thread.
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import BenchmarkSupport
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    let batch = 8
    for n in [64, 512, 4096] {
        let scores = BenchmarkInputs.uniform(count: batch * n, seed: 1)
        let gradient = BenchmarkInputs.uniform(count: batch * n, seed: 2)
        let targets = (0..<batch * n).map { $0 % n }
        let exact = SoftSort(temperature: 0.1, power: 1, threads: 1)

        Benchmark("exact-crossentropy-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                let result = try exact.forward(scores: scores, batch: batch, count: n, path: .exact)
                blackHole(try result.crossEntropy(targets: targets))
            }
        }

        // Each Loss goes before the next call (it shares the workspace's gradient until then).
        let workspace = Workspace<Float>()
        Benchmark("exact-loss-workspace-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try exact.forward(scores: scores, batch: batch, count: n, path: .exact, workspace: workspace)
                    .crossEntropy(targets: targets).value)
            }
        }

        Benchmark("exact-sorted-values-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                let result = try exact.forward(scores: scores, batch: batch, count: n, path: .exact)
                let values = try result.sortedValues()
                blackHole(values.values)
                blackHole(try values.backward(gradient))
            }
        }
    }
}
