// The p = 2 cross-entropy through the fast Gauss transform
// (`forward(path: .gauss)` then `crossEntropy(targets:)`, O(B n) after the
// radix sort): SoftSort tau = 0.1, against the identity targets, B = 8 rows of
// n in {64, 512, 4096} and one row of n = 262144 (its row scratch, about
// 31 MB, is past what `ThreadScratch` keeps per thread), Float, 1 thread, one
// Workspace passed to every forward (the training-loop path): 0 mallocs in
// steady state. And the gauss path's `P s` (`sortedValues()`) with its
// backward at B = 8, n = 4096 with one Workspace (the output array `P s` is
// the step's one malloc), and the same step without a workspace for comparison.
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import BenchmarkSupport
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    for (batch, n) in [(8, 64), (8, 512), (8, 4096), (1, 262_144)] {
        let scores = BenchmarkInputs.uniform(count: batch * n, seed: 1)
        let targets = (0..<batch * n).map { $0 % n }
        let softSort = SoftSort(temperature: 0.1, power: 2, threads: 1)
        // The closure runs once per sample: a workspace made out here is sized by
        // the warm-up and reused by every measured call. Each Loss goes before
        // the next call (it shares the workspace's gradient until then).
        let workspace = Workspace<Float>()
        let maxIterations = batch * n >= 100_000 ? 20 : 1000
        Benchmark("gauss-crossentropy-p2-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: maxIterations)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try softSort.forward(scores: scores, batch: batch, count: n, path: .gauss, workspace: workspace)
                    .crossEntropy(targets: targets))
            }
        }
    }

    let batch = 8, n = 4096
    let scores = BenchmarkInputs.uniform(count: batch * n, seed: 2)
    let upstream = BenchmarkInputs.uniform(count: batch * n, seed: 3)
    let gauss = SoftSort(temperature: 0.1, power: 2, threads: 1)
    for reuse in [true, false] {
        let workspace = reuse ? Workspace<Float>() : nil
        let name = "gauss-forward-sortedvalues-backward-B\(batch)-n\(n)" + (reuse ? "" : "-no-workspace")
        Benchmark(name, configuration: BenchmarkInputs.configuration(maxIterations: 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                let result = try gauss.forward(scores: scores, batch: batch, count: n, path: .gauss, workspace: workspace)
                let values = try result.sortedValues()
                blackHole(try values.backward(upstream))
            }
        }
    }
}
