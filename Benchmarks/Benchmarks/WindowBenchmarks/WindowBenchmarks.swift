// The sparse window path (`forward(path: .window(.tolerance(1e-7)))` then
// `sparseRows()`, no n x n matrix): forward and forward + backward (`dL/dP~`
// laid out as the kept entries), every row kept, tolerance 1e-7, tau = 0.01,
// p = 1 and 2, B = 8 rows of n in {64, 512, 4096}, Float, 1 thread.
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import BenchmarkSupport
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    let batch = 8
    for power in [1.0, 2.0] {
        for n in [64, 512, 4096] {
            let scores = BenchmarkInputs.uniform(count: batch * n, seed: 1)
            let softSort = SoftSort(temperature: 0.01, power: power, threads: 1)
            @Sendable func rows() throws -> SparseRows<Float> {
                try softSort.forward(scores: scores, batch: batch, count: n, path: .window(.tolerance(1e-7))).sparseRows()
            }
            // One gradient entry per kept entry (the window is fixed by the scores).
            let entries = (try? rows().values.count) ?? 0
            let gradient = BenchmarkInputs.uniform(count: entries, seed: 2)
            let name = "window-p\(Int(power))-B\(batch)-n\(n)"

            Benchmark("\(name)-forward", configuration: BenchmarkInputs.configuration(maxIterations: 1000)) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try rows())
                }
            }

            Benchmark("\(name)-forward-backward", configuration: BenchmarkInputs.configuration(maxIterations: 1000)) { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try rows().backward(gradient))
                }
            }
        }
    }
}
