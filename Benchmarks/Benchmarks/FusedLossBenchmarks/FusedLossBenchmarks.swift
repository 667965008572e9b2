// The latency of the paper's loss at B = 1, n = 16 (through .automatic, the
// default thread count) and the short rows at B = 4096, n = 16 (one thread); and the
// fused cross-entropy (`forward(path: .fused)` then `crossEntropy(targets:)`,
// loss and gradient together): SoftSort p = 1 and p = 2 at tau = 0.1 and
// NeuralSort at tau = 100, against the identity targets, B = 8 rows of n in
// {64, 512, 4096}, Float, the preferred backend, 1 thread, one Workspace
// passed to every forward (the training-loop path).
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import BenchmarkSupport
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    // Latency: one call of the paper's loss, forward + cross-entropy + its
    // gradient, B = 1, n = 16, Float, through .automatic with a workspace and
    // the default thread count (work this small never leaves the calling
    // thread); and B = 4096, n = 16 (the short-row kernel's lanes across rows).
    for (batch, n) in [(1, 16), (4096, 16)] {
        let scores = BenchmarkInputs.uniform(count: batch * n, seed: 2)
        let targets = (0..<batch * n).map { ($0 * 7) % n }
        for power in [1.0, 2.0] {
            // B = 4096 on one thread: a thread hand-off's mallocs vary from run to run.
            let softSort = SoftSort(temperature: 0.1, power: power, threads: batch == 1 ? nil : 1)
            let workspace = Workspace<Float>()
            Benchmark("latency-crossentropy-p\(Int(power))-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: batch == 1 ? 100_000 : 1000)) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try softSort.forward(scores: scores, batch: batch, count: n, workspace: workspace)
                        .crossEntropy(targets: targets))
                }
            }
        }
    }

    let batch = 8
    for n in [64, 512, 4096] {
        let scores = BenchmarkInputs.uniform(count: batch * n, seed: 1)
        let targets = (0..<batch * n).map { $0 % n }
        let maxIterations = n >= 4096 ? 20 : 1000

        for power in [1.0, 2.0] {
            let softSort = SoftSort(temperature: 0.1, power: power, threads: 1)
            // The closure runs once per sample: a workspace made out here is sized by
            // the warm-up and reused by every measured call. Each Loss goes before
            // the next call (it shares the workspace's gradient until then).
            let workspace = Workspace<Float>()
            Benchmark("fused-crossentropy-p\(Int(power))-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: maxIterations)) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try softSort.forward(scores: scores, batch: batch, count: n, path: .fused, workspace: workspace)
                        .crossEntropy(targets: targets))
                }
            }
        }

        let neuralSort = NeuralSort(temperature: 100, threads: 1)
        let workspace = Workspace<Float>()
        Benchmark("fused-crossentropy-neuralsort-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: maxIterations)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try neuralSort.forward(scores: scores, batch: batch, count: n, path: .fused, workspace: workspace)
                    .crossEntropy(targets: targets))
            }
        }
    }
}
