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

    /// The paper's sorting loss through the dense NeuralSort `P`,
    /// `L = -sum_(b, i) log P[b, i, t[b, i]]`, `log P` computed stably.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores.
    ///   - targets: `t`, `batch x count` columns in `0 ..< count`.
    /// - Returns: `L`, summed in `Double`, rounded to `T` once.
    /// - Precondition: as `DifferentiableSoftSort.crossEntropy(_:targets:)`.
    /// - Complexity: O(B n^2) time and memory.
    @differentiable(reverse)
    public func crossEntropy<T: DifferentiableSortScalar>(_ scores: [T], targets: [Int]) -> T {
        let relaxed = unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
        return DenseCrossEntropy<T>.value(
            relaxed, scores: scores, targets: targets, logit: DenseCrossEntropy<T>.neuralSortLogit(temperature: base.temperature, direction: base.direction))
    }

    @usableFromInline
    @derivative(of: crossEntropy)
    func crossEntropyPullback<T: DifferentiableSortScalar>(
        _ scores: [T], targets: [Int]
    ) -> (value: T, pullback: (T) -> Array<T>.TangentVector) {
        let (value, gradient) = crossEntropyValueAndGradient(scores, targets: targets)
        return (value, { v in .init(gradient.map { v * $0 }) })
    }

    private func crossEntropyValueAndGradient<T: DifferentiableSortScalar>(
        _ scores: [T], targets: [Int]
    ) -> (value: T, gradient: [T]) {
        let relaxed = unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
        return DenseCrossEntropy<T>.valueAndGradient(
            relaxed, scores: scores, targets: targets,
            logit: DenseCrossEntropy<T>.neuralSortLogit(temperature: base.temperature, direction: base.direction))
    }
}
