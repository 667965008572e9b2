import _Differentiation
import SoftSortKit

/// NeuralSort for Swift's differentiable programming: the matrices `P` and
/// the cross-entropy against target permutations, with their derivatives
/// registered to the library's dense backward. Checked and called as
/// `DifferentiableSoftSort`.
public struct DifferentiableNeuralSort: Sendable, Hashable {
    /// The operator (temperature, direction, backend, threads).
    public let base: NeuralSort
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int

    /// Checks the operator and the shape once, for every later call.
    ///
    /// - Parameters:
    ///   - base: the NeuralSort to run.
    ///   - batch: `B >= 0`.
    ///   - count: `n >= 0`.
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidThreadCount`,
    ///   `.backendUnavailable`, `.invalidDimension`, `.shapeOverflow`.
    /// - Complexity: O(1).
    public init(_ base: NeuralSort, batch: Int, count: Int) throws(SoftSortError) {
        _ = try base.forward(scores: [Double](), batch: 0, count: count)
        try checkShape(batch: batch, count: count, width: count)
        self.base = base
        self.batch = batch
        self.count = count
    }

    /// The NeuralSort matrices `P` (`NeuralSort.forward`'s `matrices`).
    ///
    /// - Parameter scores: `batch x count` scores, row-major.
    /// - Returns: `batch x count x count`, entry `(b, i, j)` at `(b * count + i) * count + j`.
    /// - Precondition: finite scores.
    /// - Complexity: O(B n^2); the pullback O(B n^2).
    @differentiable(reverse)
    public func matrices<T: DifferentiableSortScalar>(_ scores: [T]) -> [T] {
        unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count).matrices }
    }

    @usableFromInline
    @derivative(of: matrices)
    func matricesPullback<T: DifferentiableSortScalar>(
        _ scores: [T]
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> Array<T>.TangentVector) {
        let relaxed = unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
        let size = relaxed.matrices.count
        return (relaxed.matrices, { tangent in
            let upstream = [T].elements(of: tangent, count: size)
            return .init(unwrap { () throws(SoftSortError) in try relaxed.backward(upstream) })
        })
    }

    /// The paper's sorting loss, `L = -sum_(b, i) log P[b, i, t[b, i]]`, on
    /// the path `path`: `.dense` (the default here) forms `P` with the
    /// library's forward and computes `log P` stably (finite for any finite
    /// scores; its gradient needs `1 / P[i, t]` finite in `T`); any other path
    /// is the library's `NeuralSort.crossEntropy(scores:targets:batch:count:path:)`
    /// (`.automatic`, `.fused`).
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores.
    ///   - targets: `t`, `batch x count` columns in `0 ..< count` (the
    ///     identity: sort each row descending, the paper's task).
    ///   - path: `.dense` (default), `.automatic`, `.fused`.
    /// - Returns: `L`, summed in `Double`, rounded to `T` once.
    /// - Precondition: finite scores, targets in range, a path the operator
    ///   supports; on `.dense`, no target entry of `P` so small that `1 / P`
    ///   overflows `T`.
    /// - Complexity: `.dense`: O(B n^2) time and memory; the others as the library's.
    @differentiable(reverse)
    public func crossEntropy<T: DifferentiableSortScalar>(_ scores: [T], targets: [Int], path: LossPath = .dense) -> T {
        guard path == .dense else { return libraryLoss(scores, targets: targets, path: path).value }
        let relaxed = unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
        return DenseCrossEntropy<T>.value(relaxed, scores: scores, targets: targets, logit: DenseCrossEntropy<T>.neuralSortLogit(temperature: base.temperature, direction: base.direction))
    }

    @usableFromInline
    @derivative(of: crossEntropy)
    func crossEntropyPullback<T: DifferentiableSortScalar>(
        _ scores: [T], targets: [Int], path: LossPath
    ) -> (value: T, pullback: (T) -> Array<T>.TangentVector) {
        let (value, gradient): (T, [T])
        if path == .dense {
            let relaxed = unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
            (value, gradient) = DenseCrossEntropy<T>.valueAndGradient(
                relaxed, scores: scores, targets: targets, logit: DenseCrossEntropy<T>.neuralSortLogit(temperature: base.temperature, direction: base.direction))
        } else {
            let loss = libraryLoss(scores, targets: targets, path: path)
            (value, gradient) = (loss.value, loss.gradient)
        }
        return (value, { v in .init(gradient.map { v * $0 }) })
    }

    private func libraryLoss<T: DifferentiableSortScalar>(_ scores: [T], targets: [Int], path: LossPath) -> Loss<T> {
        unwrap { () throws(SoftSortError) in
            try base.crossEntropy(scores: scores, targets: targets, batch: batch, count: count, path: path)
        }
    }
}
