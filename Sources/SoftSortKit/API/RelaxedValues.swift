/// An output computed from the scores alone, `batch x count`: the relaxed
/// sorted values `P s` or the relaxed ranks `P^T r`, with its backward.
public struct RelaxedValues<T: SoftSortScalar>: Sendable {
    /// The values, `batch x count`: entry `i` of row `b` at `b * count + i`.
    public let values: [T]
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int

    enum Source: Sendable {
        /// `P s` of a dense result.
        case dense(DenseState<T>)
        /// `P s` of an exact result.
        case exactSortedValues(ExactState<T>)
        /// `P^T r`, `r = (1, ..., n)`, of an exact result.
        case exactRanks(ExactState<T>)
        /// `P s` of a gauss result.
        case gaussSortedValues(GaussState<T>)
        /// `P^T r` of a gauss result.
        case gaussRanks(GaussState<T>)
    }

    let source: Source
    /// The score gradient is divided by this scale's `c` (`ScoreScale`): the
    /// identity for `P s` (homogeneous of degree 1 in `s`), the forward's
    /// scale for the ranks.
    let gradientScale: ScoreScale<T>

    /// The vector-Jacobian product: `dL/ds` given `dL/dvalues`, through `P`
    /// (and, for `P s`, through `s` too).
    ///
    /// - Parameter gradient: `dL/dvalues`, `batch x count`, laid out as `values`.
    /// - Returns: `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong
    ///   size, `.nonFiniteInput(argument: "gradient", ...)` for an infinite or
    ///   NaN entry, `.insufficientMemory` when the dense backward's `B x n x n`
    ///   buffer does not fit (the exact and gauss paths need none).
    /// - Complexity: dense: O(B n^2) time and memory; exact and gauss: O(B n).
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count)
        try Validation.finite("gradient", gradient, rowLength: count)
        let kernelSet = T.kernelSet
        let result: [T]
        switch source {
        case .dense(let state):
            try MemoryBudget.require(
                MemoryBudget.product(batch, count, count), of: T.self,
                alternative: "ExactSoftSort's sortedValues() (p = 1) differentiates P s in O(B n)")
            result = kernelSet.dense.sortedValuesBackward(state, gradient)
        case .exactSortedValues(let state):
            result = kernelSet.exact.sortedValuesBackward(state, gradient)
        case .exactRanks(let state):
            result = kernelSet.exact.applyBackward(state, gradient, 1, kernelSet.exact.rankRows(state.shape), false).scores
        case .gaussSortedValues(let state):
            result = kernelSet.gaussOutputs.sortedValuesBackward(state, gradient)
        case .gaussRanks(let state):
            result = kernelSet.gaussOutputs.ranksBackward(state, gradient)
        }
        return gradientScale.divide(result)
    }
}
