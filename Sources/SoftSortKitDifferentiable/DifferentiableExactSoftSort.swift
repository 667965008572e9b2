import _Differentiation
import SoftSortKit

/// Exact `p = 1` SoftSort (`ExactSoftSort`, `O(n log n)` per row, no `n x n`
/// matrix) for Swift's differentiable programming: `P V`, the relaxed sorted
/// values `P s` and the cross-entropy, with their derivatives registered to
/// the exact scans' backward. Checked and called as `DifferentiableSoftSort`.
public struct DifferentiableExactSoftSort: Sendable, Hashable {
    /// The operator (temperature, direction, backend, threads).
    public let base: ExactSoftSort
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int

    /// Checks the operator and the shape once, for every later call.
    ///
    /// - Parameters:
    ///   - base: the exact SoftSort to run.
    ///   - batch: `B >= 0`.
    ///   - count: `n >= 0`.
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidThreadCount`,
    ///   `.backendUnavailable`, `.invalidDimension`, `.shapeOverflow` (`B n` overflows `Int`).
    /// - Complexity: O(1).
    public init(_ base: ExactSoftSort, batch: Int, count: Int) throws(SoftSortError) {
        _ = try base.forward(scores: [Double](), batch: 0, count: count)
        try checkShape(batch: batch, count: count, width: 1)
        self.base = base
        self.batch = batch
        self.count = count
    }

    private func relaxed<T: DifferentiableSortScalar>(_ scores: [T]) -> ExactRelaxedPermutation<T> {
        unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count) }
    }

    /// `Y = P V`, rows in sorted order (`ExactRelaxedPermutation.apply`),
    /// differentiable in both the values and the scores.
    ///
    /// - Parameters:
    ///   - values: `V`, `batch x count x dimension`, in the scores' column order.
    ///   - scores: `batch x count` scores.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x count x dimension`.
    /// - Precondition: finite scores and values, `d >= 1`, `values` of `B n d` elements.
    /// - Complexity: O(B n log n + B n d); the pullback O(B n d).
    @differentiable(reverse)
    public func apply<T: DifferentiableSortScalar>(to values: [T], scores: [T], dimension: Int = 1) -> [T] {
        unwrap { () throws(SoftSortError) in try relaxed(scores).apply(to: values, dimension: dimension).values }
    }

    @usableFromInline
    @derivative(of: apply)
    func applyPullback<T: DifferentiableSortScalar>(
        to values: [T], scores: [T], dimension: Int
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> (Array<T>.TangentVector, Array<T>.TangentVector)) {
        let product = unwrap { () throws(SoftSortError) in try relaxed(scores).apply(to: values, dimension: dimension) }
        let size = product.values.count
        return (product.values, { tangent in
            let upstream = [T].elements(of: tangent, count: size)
            let gradient = unwrap { () throws(SoftSortError) in try product.backward(upstream) }
            return (.init(gradient.values), .init(gradient.scores))
        })
    }

    /// The relaxed sorted values `P s` (`ExactRelaxedPermutation.sortedValues`),
    /// differentiable through both `P` and `s`.
    ///
    /// - Parameter scores: `batch x count` scores.
    /// - Returns: `batch x count`, entry `i` of row `b` close to its `i`-th largest score.
    /// - Precondition: finite scores.
    /// - Complexity: O(B n log n); the pullback O(B n).
    @differentiable(reverse)
    public func sortedValues<T: DifferentiableSortScalar>(_ scores: [T]) -> [T] {
        relaxed(scores).sortedValues().values
    }

    @usableFromInline
    @derivative(of: sortedValues)
    func sortedValuesPullback<T: DifferentiableSortScalar>(
        _ scores: [T]
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> Array<T>.TangentVector) {
        let sorted = relaxed(scores).sortedValues()
        let size = sorted.values.count
        return (sorted.values, { tangent in
            let upstream = [T].elements(of: tangent, count: size)
            return .init(unwrap { () throws(SoftSortError) in try sorted.backward(upstream) })
        })
    }

    /// The paper's sorting loss, exactly and without `P`
    /// (`ExactRelaxedPermutation.crossEntropy(targets:)`):
    ///
    ///     L = -sum_(b, i) log P[b, i, t[b, i]]
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores.
    ///   - targets: `t`, `batch x count` columns in `0 ..< count`.
    /// - Returns: `L`, summed in `Double`, rounded to `T` once; finite for any finite scores.
    /// - Precondition: finite scores, targets in range.
    /// - Complexity: O(B n log n); the pullback O(B n).
    @differentiable(reverse)
    public func crossEntropy<T: DifferentiableSortScalar>(_ scores: [T], targets: [Int]) -> T {
        unwrap { () throws(SoftSortError) in try relaxed(scores).crossEntropy(targets: targets).value }
    }

    @usableFromInline
    @derivative(of: crossEntropy)
    func crossEntropyPullback<T: DifferentiableSortScalar>(
        _ scores: [T], targets: [Int]
    ) -> (value: T, pullback: (T) -> Array<T>.TangentVector) {
        let loss = unwrap { () throws(SoftSortError) in try relaxed(scores).crossEntropy(targets: targets) }
        return (loss.value, { v in .init(loss.gradient.map { v * $0 }) })
    }
}
