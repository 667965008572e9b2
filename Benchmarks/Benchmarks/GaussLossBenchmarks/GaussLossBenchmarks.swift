// The p = 2 cross-entropy through the fast Gauss transform
// (`crossEntropy(path: .gauss)`, O(B n) after the radix sort): SoftSort
// tau = 0.1, against the identity targets, B = 8 rows of n in {64, 512, 4096},
// Float, the preferred backend, 1 thread. The path takes no workspace: it
// allocates its scratch on every call, and the recorded mallocs say how much.
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
        let targets = (0..<batch * n).map { $0 % n }
        let softSort = SoftSort(temperature: 0.1, power: 2, threads: 1)

        Benchmark("gauss-crossentropy-p2-B\(batch)-n\(n)", configuration: BenchmarkInputs.configuration(maxIterations: 1000)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try softSort.crossEntropy(
                    scores: scores, targets: targets, batch: batch, count: n, path: .gauss))
            }
        }
    }
}
