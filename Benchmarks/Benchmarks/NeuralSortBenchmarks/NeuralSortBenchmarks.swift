// NeuralSort (the O(n^2) association, B x n x n): forward and backward,
// tau = 100, one row (B = 1) of n in {64, 512, 4096}, Float, the preferred backend,
// 1 thread (kernels, not the scheduler), one Workspace reused by every call
// (the allocation-free training-loop path): `forward(path: .dense)` then
// `matrices()`, and the matrices' backward.
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
        let forwardWorkspace = Workspace<Float>()
        Benchmark("neuralsort-forward-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: n >= 4096 ? 20 : 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try neuralSort.forward(scores: scores, batch: 1, count: n, path: .dense, workspace: forwardWorkspace)
                    .matrices())
            }
        }

        let backwardWorkspace = Workspace<Float>()
        Benchmark("neuralsort-backward-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: n >= 4096 ? 20 : 1000)) { benchmark in
            let matrices = try neuralSort.forward(scores: scores, batch: 1, count: n, path: .dense, workspace: backwardWorkspace)
                .matrices()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try matrices.backward(gradient))
            }
            benchmark.stopMeasurement()
        }
    }
}
