import _Differentiation
import SoftSortKit

/// SoftSort and NeuralSort for Swift's differentiable programming: every
/// output of `RelaxedPermutation` as a function the compiler differentiates,
/// each with its derivative registered (`@derivative(of:)`) to the output's
/// own `backward(_:)`. Every call runs the library's API on the wrapper's
/// `path` (`.automatic` by default: the fastest path for each output).
///
/// ```swift
/// import _Differentiation
/// import SoftSortKitDifferentiable
///
/// let sorter = try DifferentiableSort(SoftSort(temperature: 0.5), batch: 1, count: 3)
/// let (loss, dLds) = valueWithGradient(at: [0.3, 2.0, -1.0] as [Float]) { s in
///     sorter.crossEntropy(s, targets: [1, 0, 2])
/// }
/// ```
///
/// Swift cannot differentiate throwing functions, so the operator's
/// parameters, the path and the shape are checked once, by the throwing
/// `init`; an argument a call rejects later (a non-finite score or value, a
/// target out of range, an output the path does not compute) stops the
/// program with the library's `SoftSortError` description.
public struct DifferentiableSort<Operator: RelaxedSortOperator>: Sendable, Hashable {
    /// The operator (`SoftSort` or `NeuralSort`, with its parameters).
    public let base: Operator
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int
    /// The path every output runs on.
    public let path: SoftSortPath

    /// Checks the operator, the path and the shape once, for every later call.
    ///
    /// - Parameters:
    ///   - base: the operator to run.
    ///   - batch: `B >= 0`.
    ///   - count: `n >= 0`.
    ///   - path: `.automatic` (default) or the path every output runs on.
    /// - Throws: what the operator's `forward` throws for its parameters and
    ///   the path, `.invalidDimension` for a negative shape, `.shapeOverflow`
    ///   when `B n` overflows `Int`.
    /// - Complexity: O(1).
    public init(_ base: Operator, batch: Int, count: Int, path: SoftSortPath = .automatic) throws(SoftSortError) {
        guard batch >= 0 else { throw .invalidDimension(argument: "batch", value: batch) }
        guard !batch.multipliedReportingOverflow(by: count).overflow else { throw .shapeOverflow(batch: batch, count: count) }
        _ = try base.forward(scores: [Double](), batch: 0, count: count, path: path, workspace: nil)
        self.base = base
        self.batch = batch
        self.count = count
        self.path = path
    }

    @usableFromInline
    func relaxed<T: DifferentiableSortScalar>(_ scores: [T]) -> RelaxedPermutation<T> {
        unwrap { () throws(SoftSortError) in try base.forward(scores: scores, batch: batch, count: count, path: path, workspace: nil) }
    }

    /// The matrices `P`, `batch x count x count` (`RelaxedPermutation.matrices(_:)`).
    @differentiable(reverse)
    public func matrices<T: DifferentiableSortScalar>(_ scores: [T]) -> [T] {
        unwrap { () throws(SoftSortError) in try relaxed(scores).matrices().values }
    }

    @usableFromInline
    @derivative(of: matrices)
    func matricesPullback<T: DifferentiableSortScalar>(
        _ scores: [T]
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> Array<T>.TangentVector) {
        let output = unwrap { () throws(SoftSortError) in try relaxed(scores).matrices() }
        return (output.values, { tangent in
            let upstream = [T].elements(of: tangent, count: output.values.count)
            return .init(unwrap { () throws(SoftSortError) in try output.backward(upstream) })
        })
    }

    /// `P V`, `batch x count x dimension` (`RelaxedPermutation.apply(to:dimension:)`),
    /// differentiable in the values and the scores.
    @differentiable(reverse)
    public func apply<T: DifferentiableSortScalar>(to values: [T], scores: [T], dimension: Int = 1) -> [T] {
        unwrap { () throws(SoftSortError) in try relaxed(scores).apply(to: values, dimension: dimension).values }
    }

    @usableFromInline
    @derivative(of: apply)
    func applyPullback<T: DifferentiableSortScalar>(
        to values: [T], scores: [T], dimension: Int
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> (Array<T>.TangentVector, Array<T>.TangentVector)) {
        productPullback(unwrap { () throws(SoftSortError) in try relaxed(scores).apply(to: values, dimension: dimension) })
    }

    /// `P^T U`, `batch x count x dimension` (`RelaxedPermutation.applyTransposed(to:dimension:)`),
    /// differentiable in `U` and the scores.
    @differentiable(reverse)
    public func applyTransposed<T: DifferentiableSortScalar>(to values: [T], scores: [T], dimension: Int = 1) -> [T] {
        unwrap { () throws(SoftSortError) in try relaxed(scores).applyTransposed(to: values, dimension: dimension).values }
    }

    @usableFromInline
    @derivative(of: applyTransposed)
    func applyTransposedPullback<T: DifferentiableSortScalar>(
        to values: [T], scores: [T], dimension: Int
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> (Array<T>.TangentVector, Array<T>.TangentVector)) {
        productPullback(unwrap { () throws(SoftSortError) in try relaxed(scores).applyTransposed(to: values, dimension: dimension) })
    }

    /// The relaxed sorted values `P s`, `batch x count` (`RelaxedPermutation.sortedValues()`).
    @differentiable(reverse)
    public func sortedValues<T: DifferentiableSortScalar>(_ scores: [T]) -> [T] {
        unwrap { () throws(SoftSortError) in try relaxed(scores).sortedValues().values }
    }

    @usableFromInline
    @derivative(of: sortedValues)
    func sortedValuesPullback<T: DifferentiableSortScalar>(
        _ scores: [T]
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> Array<T>.TangentVector) {
        valuesPullback(unwrap { () throws(SoftSortError) in try relaxed(scores).sortedValues() })
    }

    /// The relaxed ranks `P^T r`, `batch x count` (`RelaxedPermutation.ranks()`).
    @differentiable(reverse)
    public func ranks<T: DifferentiableSortScalar>(_ scores: [T]) -> [T] {
        unwrap { () throws(SoftSortError) in try relaxed(scores).ranks().values }
    }

    @usableFromInline
    @derivative(of: ranks)
    func ranksPullback<T: DifferentiableSortScalar>(
        _ scores: [T]
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> Array<T>.TangentVector) {
        valuesPullback(unwrap { () throws(SoftSortError) in try relaxed(scores).ranks() })
    }

    /// The paper's cross-entropy against target columns (`RelaxedPermutation.crossEntropy(targets:)`).
    @differentiable(reverse)
    public func crossEntropy<T: DifferentiableSortScalar>(_ scores: [T], targets: [Int]) -> T {
        unwrap { () throws(SoftSortError) in try relaxed(scores).crossEntropy(targets: targets).value }
    }

    @usableFromInline
    @derivative(of: crossEntropy)
    func crossEntropyPullback<T: DifferentiableSortScalar>(
        _ scores: [T], targets: [Int]
    ) -> (value: T, pullback: (T) -> Array<T>.TangentVector) {
        lossPullback(unwrap { () throws(SoftSortError) in try relaxed(scores).crossEntropy(targets: targets) })
    }

    /// The paper's kNN loss (`RelaxedPermutation.nearestNeighborLoss(matches:k:)`),
    /// differentiable in the scores.
    @differentiable(reverse, wrt: scores)
    public func nearestNeighborLoss<T: DifferentiableSortScalar>(_ scores: [T], matches: [T], k: Int) -> T {
        unwrap { () throws(SoftSortError) in try relaxed(scores).nearestNeighborLoss(matches: matches, k: k).value }
    }

    @usableFromInline
    @derivative(of: nearestNeighborLoss, wrt: scores)
    func nearestNeighborLossPullback<T: DifferentiableSortScalar>(
        _ scores: [T], matches: [T], k: Int
    ) -> (value: T, pullback: (T) -> Array<T>.TangentVector) {
        lossPullback(unwrap { () throws(SoftSortError) in try relaxed(scores).nearestNeighborLoss(matches: matches, k: k) })
    }

    private func productPullback<T: DifferentiableSortScalar>(
        _ product: RelaxedProduct<T>
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> (Array<T>.TangentVector, Array<T>.TangentVector)) {
        (product.values, { tangent in
            let upstream = [T].elements(of: tangent, count: product.values.count)
            let gradient = unwrap { () throws(SoftSortError) in try product.backward(upstream) }
            return (.init(gradient.values), .init(gradient.scores))
        })
    }

    private func valuesPullback<T: DifferentiableSortScalar>(
        _ output: RelaxedValues<T>
    ) -> (value: [T], pullback: (Array<T>.TangentVector) -> Array<T>.TangentVector) {
        (output.values, { tangent in
            let upstream = [T].elements(of: tangent, count: output.values.count)
            return .init(unwrap { () throws(SoftSortError) in try output.backward(upstream) })
        })
    }

    private func lossPullback<T: DifferentiableSortScalar>(_ loss: Loss<T>) -> (value: T, pullback: (T) -> Array<T>.TangentVector) {
        (loss.value, { v in .init(loss.gradient.map { v * $0 }) })
    }
}
