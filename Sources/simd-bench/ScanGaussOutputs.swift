import Foundation
import SoftSortKit

/// `simd-bench scan --sections gauss-outputs`: the outputs of the gauss path
/// (`SoftSort(power: 2)`, path `.gauss`, tau 0.1, Float, U(0, 1) scores,
/// 2 threads) at B = 20, n = 4000 and B = 1, n = 10^6: the forward (sort +
/// normaliser transform) alone, and forward + each output + its backward.
///
/// `forward` computes nothing until an output asks, so the forward alone is
/// timed through `logNormalizers()`: the sort and the normaliser transform,
/// then a copy of `log Z` out of the state.
extension ScanCommand {
    func scanGaussOutputs(_ generator: inout SplitMix, report: (Result) -> Void) throws {
        print("gauss path p = 2 outputs, tau 0.1, Float, 2 threads: forward, and forward + output + backward")
        for (batch, n) in [(20, 4000), (1, 1_000_000)] {
            let scores = (0..<batch * n).map { _ in Float(generator.nextUnit()) }
            let values = (0..<batch * n).map { _ in Float(generator.nextUnit()) }
            let upstream = (0..<batch * n).map { _ in Float(generator.nextUnit() - 0.5) }
            let op = SoftSort(temperature: 0.1, power: 2, threads: 2)
            func forward() throws -> RelaxedPermutation<Float> {
                try op.forward(scores: scores, batch: batch, count: n, path: .gauss)
            }
            let msForward = try Timing.medianMilliseconds(repetitions) {
                let normalizers = try forward().logNormalizers()
                precondition(normalizers.count == batch * n)
            }
            report(Result(case: "gauss-p2-forward", n: n, batch: batch, ms: msForward))
            let msApply = try Timing.medianMilliseconds(repetitions) {
                let product = try forward().apply(to: values)
                let gradient = try product.backward(upstream)
                precondition(gradient.scores.count == batch * n)
            }
            report(Result(case: "gauss-p2-apply-d1-fwd+bwd", n: n, batch: batch, ms: msApply))
            let msSorted = try Timing.medianMilliseconds(repetitions) {
                let sorted = try forward().sortedValues()
                let gradient = try sorted.backward(upstream)
                precondition(gradient.count == batch * n)
            }
            report(Result(case: "gauss-p2-sortedValues-fwd+bwd", n: n, batch: batch, ms: msSorted))
            let msRanks = try Timing.medianMilliseconds(repetitions) {
                let ranks = try forward().ranks()
                let gradient = try ranks.backward(upstream)
                precondition(gradient.count == batch * n)
            }
            report(Result(case: "gauss-p2-ranks-fwd+bwd", n: n, batch: batch, ms: msRanks))
        }
    }
}
