// The public hard argsort (`argsort(_:batch:count:direction:threads:)`, the
// radix sort every path uses), descending, one row (B = 1) of
// n in {1e3, 1e4, 1e5, 1e6}, Float, 1 thread.
//
// Mallocs are checked against Benchmarks/Thresholds/ (`swift package
// benchmark thresholds check`); wall clock and throughput are reported but
// never checked (a shared 2-core machine's timings are noise for a gate).
import Benchmark
import BenchmarkSupport
import SoftSortKit

let benchmarks: @Sendable () -> Void = {
    for n in [1_000, 10_000, 100_000, 1_000_000] {
        let scores = BenchmarkInputs.uniform(count: n, seed: 1)

        Benchmark("argsort-B1-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: n >= 1_000_000 ? 100 : 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try argsort(scores, batch: 1, count: n, direction: .descending, threads: 1))
            }
        }
    }
}
