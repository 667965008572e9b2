// NeuralSort (the O(n^2) association, B x n x n): forward and backward,
// tau = 100, one row (B = 1) of n in {64, 512, 4096}, Float, the preferred backend,
// 1 thread (kernels, not the scheduler), one DenseWorkspace reused by every call
// (the allocation-free training-loop path).
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import BenchmarkSupport
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    for n in [64, 512, 4096] {
        let scores = BenchmarkInputs.uniform(count: n, seed: 1)
        let gradient = BenchmarkInputs.uniform(count: n * n, seed: 2)
        let neuralSort = NeuralSort(temperature: 100, threads: 1)

        // The closure runs once per sample: a workspace made out here is sized by
        // the warm-up and reused by every measured call.
        let forwardWorkspace = DenseWorkspace<Float>()
        Benchmark("neuralsort-forward-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: n >= 4096 ? 20 : 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try neuralSort.forward(scores: scores, batch: 1, count: n, workspace: forwardWorkspace))
            }
        }

        let backwardWorkspace = DenseWorkspace<Float>()
        Benchmark("neuralsort-backward-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: n >= 4096 ? 20 : 1000)) { benchmark in
            let result = try neuralSort.forward(scores: scores, batch: 1, count: n, workspace: backwardWorkspace)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try result.backward(gradient))
            }
            benchmark.stopMeasurement()
        }
    }
}
