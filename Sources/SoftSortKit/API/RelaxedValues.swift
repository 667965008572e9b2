/// An output computed from the scores alone, `batch x count`: the relaxed
/// sorted values `P s` or the relaxed ranks `P^T r`, with its backward.
public struct RelaxedValues<T: SoftSortScalar>: Sendable {
    /// The values, `batch x count`: entry `i` of row `b` at `b * count + i`.
    public let values: [T]
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int
    /// The path that ran (never `.automatic`).
    public let path: SoftSortPath
    /// The backend whose kernels ran.
    public let backend: Backend
    /// The number of threads the forward ran on (and the backward will).
    public let threads: Int

    enum Source: Sendable {
        /// `P s` of the dense matrices.
        case denseSortedValues(DenseState<T>)
        case exactSortedValues(ExactState<T>)
        case exactRanks(ExactState<T>)
        case gaussSortedValues(GaussState<T>)
        case gaussRanks(GaussState<T>)
        /// `P s` (`throughValues`: `V = s`, so `dL/dV` joins `dL/ds`) or
        /// `P^T r` as a product of the fused, dense or window path.
        case product(RelaxedProduct<T>, throughValues: Bool)
    }

    let source: Source
    /// The score gradient is divided by this scale's `c` (`ScoreScale`): the
    /// identity for `P s` (homogeneous of degree 1 in `s`) and for sources
    /// that apply their own, the forward's scale for the exact ranks.
    let gradientScale: ScoreScale<T>
    let perturbation: PerturbedRows<T>?
    /// The forward's workspace, held for the backward.
    let workspace: Workspace<T>?

    /// The vector-Jacobian product: `dL/ds` given `dL/dvalues`, through `P`
    /// (and, for `P s`, through `s` too).
    ///
    /// - Parameter gradient: `dL/dvalues`, `batch x count`, laid out as `values`.
    /// - Returns: `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong
    ///   size, `.nonFiniteInput(argument: "gradient", ...)` for an infinite or
    ///   NaN entry, `.insufficientMemory` when the dense backward's `B x n x n`
    ///   buffer does not fit (the exact and gauss paths need none),
    ///   `.workspaceInUse` when another call holds the forward's workspace.
    /// - Complexity: dense and fused: O(B n^2); window O(B n w); exact and gauss: O(B n).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try holding(workspace) { () throws(SoftSortError) -> [T] in try backwardHeld(gradient) }
    }

    /// `backward(_:)` with the workspace held.
    private func backwardHeld(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count)
        try Validation.finite("gradient", gradient, rowLength: count)
        let kernelSet = T.kernelSet
        let result: [T]
        switch source {
        case .denseSortedValues(let state):
            try MemoryBudget.require(
                MemoryBudget.product(batch, count, count), of: T.self,
                alternative: "path: .exact (p = 1) and .gauss (p = 2) differentiate P s in O(B n)")
            result = kernelSet.dense.sortedValuesBackward(state, gradient)
        case .exactSortedValues(let state):
            result = kernelSet.exact.sortedValuesBackward(state, gradient)
        case .exactRanks(let state):
            result = kernelSet.exact.applyBackward(state, gradient, 1, kernelSet.exact.rankRows(state.shape), false).scores
        case .gaussSortedValues(let state):
            result = kernelSet.gaussOutputs.sortedValuesBackward(state, gradient)
        case .gaussRanks(let state):
            result = kernelSet.gaussOutputs.ranksBackward(state, gradient)
        case .product(let product, let throughValues):
            // In the product's units k: the parts and the samples are summed
            // before k grows them (two terms past the range would meet as inf - inf).
            let (parts, k) = try product.backwardInUnits(gradient)
            let sum = throughValues ? zip(parts.scores, parts.values).map { $0 + $1 } : parts.scores
            let scaled = gradientScale.divide(sum)
            let folded = perturbation?.fold(scaled) ?? scaled
            return k == 1 ? folded : folded.map { $0 * k }
        }
        let scores = gradientScale.divide(result)
        return perturbation?.fold(scores) ?? scores
    }
}
