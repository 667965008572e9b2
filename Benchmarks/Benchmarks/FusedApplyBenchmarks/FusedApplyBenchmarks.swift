// Fused apply Y = P V without forming P (`forward(path: .fused)` then
// `apply(to:)`), forward and
// backward, p = 1 and p = 2, tau = 0.1, V = s (d = 1), one row (B = 1) of
// n in {64, 512, 4096}, Float, the preferred backend, 1 thread.
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import BenchmarkSupport
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    for power in [1.0, 2.0] {
        for n in [64, 512, 4096] {
            let scores = BenchmarkInputs.uniform(count: n, seed: 1)
            let gradient = BenchmarkInputs.uniform(count: n, seed: 2)
            let softSort = SoftSort(temperature: 0.1, power: power, threads: 1)
            let name = "apply-p\(Int(power))"

            Benchmark("\(name)-forward-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: n >= 4096 ? 20 : 1000)) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try softSort.forward(scores: scores, batch: 1, count: n, path: .fused).apply(to: scores))
                }
            }

            Benchmark("\(name)-backward-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: n >= 4096 ? 20 : 1000)) { benchmark in
                let product = try softSort.forward(scores: scores, batch: 1, count: n, path: .fused).apply(to: scores)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(try product.backward(gradient))
                }
                benchmark.stopMeasurement()
            }
        }
    }
}
