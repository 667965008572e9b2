import _Differentiation
import SoftSortKit

/// SoftSort for Swift's differentiable programming: the relaxed permutation
/// matrices `P`, the fused product `P V` and the cross-entropy against
/// target permutations as functions the compiler differentiates, each with
/// its derivative registered (`@derivative(of:)`) to the library's own
/// backward.
///
/// ```swift
/// import _Differentiation
/// import SoftSortKitDifferentiable
///
/// let sorter = try DifferentiableSoftSort(SoftSort(temperature: 0.5), batch: 1, count: 3)
/// let (loss, dLds) = valueWithGradient(at: [0.3, 2.0, -1.0] as [Float]) { s in
///     sorter.crossEntropy(s, targets: [0, 1, 2])
/// }
/// ```
///
/// Swift cannot differentiate throwing functions, so the operator's
/// parameters and the shape are checked once, by the throwing `init`; a
/// non-finite score or value, or a target out of range, stops the program
/// with the library's `SoftSortError` description.
public struct DifferentiableSoftSort: Sendable, Hashable {
    /// The operator (temperature, power, direction, backend, threads).
    public let base: SoftSort
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int

    /// Checks the operator and the shape once, for every later call.
    ///
    /// - Parameters:
    ///   - base: the SoftSort to run.
    ///   - batch: `B >= 0`.
    ///   - count: `n >= 0`.
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidPower`,
    ///   `.invalidThreadCount`, `.backendUnavailable`, `.invalidDimension`
    ///   (a negative shape), `.shapeOverflow` (`B n^2` overflows `Int`).
    /// - Complexity: O(1).
    public init(_ base: SoftSort, batch: Int, count: Int) throws(SoftSortError) {
        _ = try base.forward(scores: [Double](), batch: 0, count: count)
        try checkShape(batch: batch, count: count, width: count)
        self.base = base
        self.batch = batch
        self.count = count
    }

    /// The relaxed permutation matrices `P` (`SoftSort.forward`'s `matrices`).
    ///
    /// - Parameter scores: `batch x count` scores, row-major.
    /// - Returns: `batch x count x count`, entry `(b, i, j)` at `(b * count + i) * count + j`.
    /// - Precondition: finite scores.
    /// - Complexity: O(B n^2); the pullback O(B n^2) (the library's dense backward).
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

    /// The fused product `Y = P V` (`SoftSort.apply`), differentiable in
    /// both the values and the scores.
    ///
    /// - Parameters:
    ///   - values: `V`, `batch x count x dimension`, row-major.
    ///   - scores: `batch x count` scores.
    ///   - dimension: the value width `d >= 0`.
    /// - Returns: `batch x count x dimension`.
    /// - Precondition: finite scores and values, `d >= 0`, `values` of `B n d` elements.
    /// - Complexity: O(B n^2 d) time, O(B n d) memory; the pullback the same.
    @differentiable(reverse)
    public func apply<T: DifferentiableSortScalar>(to values: [T], scores: [T], dimension: Int = 1) -> [T] {
        unwrap { () throws(SoftSortError) in
            try base.apply(to: values, scores: scores, batch: batch, count: count, dimension: dimension).values
        }
    }

    @usableFromInline
    @derivative(of: apply)
    func applyPullback<T: DifferentiableSortScalar>(
        to values: [T], scores: [T], dimension: Int
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> (Array<T>.TangentVector, Array<T>.TangentVector)) {
        let product = unwrap { () throws(SoftSortError) in
            try base.apply(to: values, scores: scores, batch: batch, count: count, dimension: dimension)
        }
        let size = product.values.count
        return (product.values, { tangent in
            let upstream = [T].elements(of: tangent, count: size)
            let gradient = unwrap { () throws(SoftSortError) in try product.backward(upstream) }
            return (.init(gradient.values), .init(gradient.scores))
        })
    }

    /// The paper's sorting loss, `L = -sum_(b, i) log P[b, i, t[b, i]]`, on
    /// the path `path`: `.dense` (the default here) forms `P` with the
    /// library's forward and computes `log P` stably (finite for any finite
    /// scores; its gradient needs `1 / P[i, t]` finite in `T`); any other path
    /// is the library's `SoftSort.crossEntropy(scores:targets:batch:count:path:)`
    /// (`.automatic`, `.fused`, `.exact` for `p = 1`).
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores.
    ///   - targets: `t`, `batch x count` columns in `0 ..< count` (the
    ///     identity: sort each row descending, the paper's task).
    ///   - path: `.dense` (default), `.automatic`, `.fused`, `.exact` (`p = 1`).
    /// - Returns: `L`, summed in `Double`, rounded to `T` once.
    /// - Precondition: finite scores, targets in range, a path the operator
    ///   supports; on `.dense`, no target entry of `P` so small that `1 / P`
    ///   overflows `T`.
    /// - Complexity: `.dense`: O(B n^2) time and memory; the others as the library's.
    @differentiable(reverse)
    public func crossEntropy<T: DifferentiableSortScalar>(_ scores: [T], targets: [Int], path: LossPath = .dense) -> T {
        guard path == .dense else { return libraryLoss(scores, targets: targets, path: path).value }
        let relaxed = unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
        return DenseCrossEntropy<T>.value(relaxed, scores: scores, targets: targets, logit: DenseCrossEntropy<T>.softSortLogit(temperature: base.temperature, power: base.power))
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
                relaxed, scores: scores, targets: targets, logit: DenseCrossEntropy<T>.softSortLogit(temperature: base.temperature, power: base.power))
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
