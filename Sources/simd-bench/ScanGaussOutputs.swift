import Foundation
import SoftSortKit

/// `simd-bench scan --sections gauss-outputs`: `GaussSoftSort`'s outputs
/// (`p = 2`, tau 0.1, Float, U(0, 1) scores, 2 threads) at B = 20, n = 4000
/// and B = 1, n = 10^6: the forward (sort + normaliser transform) alone, and
/// forward + each output + its backward.
extension ScanCommand {
    func scanGaussOutputs(_ generator: inout SplitMix, report: (Result) -> Void) throws {
        print("GaussSoftSort p = 2 outputs, tau 0.1, Float, 2 threads: forward, and forward + output + backward")
        for (batch, n) in [(20, 4000), (1, 1_000_000)] {
            let scores = (0..<batch * n).map { _ in Float(generator.nextUnit()) }
            let values = (0..<batch * n).map { _ in Float(generator.nextUnit()) }
            let upstream = (0..<batch * n).map { _ in Float(generator.nextUnit() - 0.5) }
            let op = GaussSoftSort(temperature: 0.1, threads: 2)
            let msForward = try Timing.medianMilliseconds(repetitions) {
                let result = try op.forward(scores: scores, batch: batch, count: n)
                precondition(result.count == n)
            }
            report(Result(case: "gauss-p2-forward", n: n, batch: batch, ms: msForward))
            let msApply = try Timing.medianMilliseconds(repetitions) {
                let product = try op.forward(scores: scores, batch: batch, count: n).apply(to: values)
                let gradient = try product.backward(upstream)
                precondition(gradient.scores.count == batch * n)
            }
            report(Result(case: "gauss-p2-apply-d1-fwd+bwd", n: n, batch: batch, ms: msApply))
            let msSorted = try Timing.medianMilliseconds(repetitions) {
                let sorted = try op.forward(scores: scores, batch: batch, count: n).sortedValues()
                let gradient = try sorted.backward(upstream)
                precondition(gradient.count == batch * n)
            }
            report(Result(case: "gauss-p2-sortedValues-fwd+bwd", n: n, batch: batch, ms: msSorted))
            let msRanks = try Timing.medianMilliseconds(repetitions) {
                let ranks = try op.forward(scores: scores, batch: batch, count: n).ranks()
                let gradient = try ranks.backward(upstream)
                precondition(gradient.count == batch * n)
            }
            report(Result(case: "gauss-p2-ranks-fwd+bwd", n: n, batch: batch, ms: msRanks))
        }
    }
}
