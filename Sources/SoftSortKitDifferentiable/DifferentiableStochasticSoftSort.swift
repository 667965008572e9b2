import _Differentiation
import SoftSortKit

/// Stochastic SoftSort (`StochasticSoftSort`: SoftSort of Gumbel-perturbed
/// scores, the paper's section 5.1) for Swift's differentiable programming:
/// the cross-entropy against target permutations averaged over the samples,
/// the reparameterised estimate of the paper's stochastic loss, with its
/// derivative registered to the library's backward (the noise is a
/// constant). Checked and called as `DifferentiableSoftSort`; the noise is
/// `base.seed`'s, so a training loop makes one per step with a fresh seed.
public struct DifferentiableStochasticSoftSort: Sendable, Hashable {
    /// The operator (SoftSort, samples per row, score kind, seed).
    public let base: StochasticSoftSort
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int

    /// Checks the operator and the shape once, for every later call.
    ///
    /// - Parameters:
    ///   - base: the stochastic SoftSort to run.
    ///   - batch: `B >= 0`.
    ///   - count: `n >= 0`.
    /// - Throws: as `DifferentiableSoftSort.init`, and `.invalidSampleCount`
    ///   for `samplesPerRow < 1`, `.shapeOverflow` when `B k n^2` overflows `Int`.
    /// - Complexity: O(1).
    public init(_ base: StochasticSoftSort, batch: Int, count: Int) throws(SoftSortError) {
        _ = try base.forward(scores: [Double](), batch: 0, count: count)
        let (rows, overflow) = batch.multipliedReportingOverflow(by: base.samplesPerRow)
        guard batch >= 0 else { throw .invalidDimension(argument: "batch", value: batch) }
        guard !overflow else { throw .shapeOverflow(batch: batch, count: count) }
        try checkShape(batch: rows, count: count, width: count)
        self.base = base
        self.batch = batch
        self.count = count
    }

    /// The paper's stochastic sorting loss, averaged over the `k` samples:
    ///
    ///     L = (1 / k) sum_m sum_(b, i) -log P_m[b, i, t[b, i]]
    ///
    /// `P_m` the SoftSort of sample `m`'s perturbed scores, `log P` computed stably.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores (positive for `.positive`).
    ///   - targets: `t`, `batch x count` columns in `0 ..< count`, the same for every sample.
    /// - Returns: `L`, summed in `Double`, rounded to `T` once.
    /// - Precondition: as `DifferentiableSoftSort.crossEntropy(_:targets:)`,
    ///   and positive scores for `.positive`.
    /// - Complexity: O(B k n^2) time and memory.
    @differentiable(reverse)
    public func crossEntropy<T: DifferentiableSortScalar>(_ scores: [T], targets: [Int]) -> T {
        crossEntropyValueAndGradient(scores, targets: targets, gradient: false).value
    }

    @usableFromInline
    @derivative(of: crossEntropy)
    func crossEntropyPullback<T: DifferentiableSortScalar>(
        _ scores: [T], targets: [Int]
    ) -> (value: T, pullback: (T) -> Array<T>.TangentVector) {
        let (value, gradient) = crossEntropyValueAndGradient(scores, targets: targets, gradient: true)
        return (value, { v in .init(gradient.map { v * $0 }) })
    }

    /// The loss and, when `wanted`, `dL/ds` (else empty).
    private func crossEntropyValueAndGradient<T: DifferentiableSortScalar>(
        _ scores: [T], targets: [Int], gradient wanted: Bool
    ) -> (value: T, gradient: [T]) {
        precondition(targets.count == batch * count, "targets: \(targets.count) entries for \(batch * count) rows")
        let samples = unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
        let k = base.samplesPerRow, n = count
        var repeated = [Int]()
        repeated.reserveCapacity(batch * k * n)
        for b in 0..<batch {
            for _ in 0..<k { repeated += targets[b * n ..< (b + 1) * n] }
        }
        var (loss, upstream) = DenseCrossEntropy<T>.lossAndUpstream(
            samples.relaxed, scores: samples.perturbedScores, targets: repeated,
            logit: DenseCrossEntropy<T>.softSortLogit(temperature: base.base.temperature, power: base.base.power),
            upstream: wanted)
        guard wanted else { return (T(loss / Double(k)), []) }
        let scale = 1 / T(k)
        for e in upstream.indices where upstream[e] != 0 { upstream[e] *= scale }
        let gradient = unwrap { () throws(SoftSortError) in try samples.backward(upstream) }
        return (T(loss / Double(k)), gradient)
    }
}
