/// The result of a dense forward (`SoftSort`, `NeuralSort`): relaxed
/// permutation matrices, the hard permutations, and what the backward needs.
///
/// Element `(b, i, j)` of `matrices` sits at `(b * count + i) * count + j`.
/// Keep the value to call `backward(_:)`: it holds the scores, their sorted
/// order and the soft matrices, so nothing is recomputed.
public struct RelaxedPermutation<T: SoftSortScalar>: Sendable {
    /// `batch x count x count` row-stochastic matrices: the soft `P`, or with
    /// `OutputMode.straightThrough`, the exact permutation matrices.
    public let matrices: [T]
    /// Whether `matrices` holds the soft or the straight-through matrices.
    public let mode: OutputMode

    let state: DenseState<T>

    init(
        scores: [T], shape: BatchShape, method: DenseMethod, mode: OutputMode, configuration: Configuration<T>,
        workspace: DenseWorkspace<T>?
    ) {
        let kernelSet = T.kernelSet
        let power: DistancePower? = if case .softSort(let p) = method { p } else { nil }
        let result = kernelSet.dense.forward(DenseRequest(
            scores: scores, shape: shape, method: method, mode: mode, configuration: configuration,
            kernels: kernelSet.denseKernels(configuration.backend, power: power), workspace: workspace))
        self.matrices = result.matrices
        self.mode = mode
        self.state = result.state
    }

    /// The number of score rows `B`.
    public var batch: Int { state.shape.batch }
    /// The length `n` of each score row.
    public var count: Int { state.shape.count }
    /// `batch x count` hard permutations: `permutation[b * count + i]` is the
    /// column of the `i`-th largest score of row `b` (smallest, ascending),
    /// ties broken by index (a stable sort).
    public var permutation: [Int] { state.permutation }
    /// The backend whose kernels ran.
    public var backend: Backend { state.kernels.backend }
    /// The number of threads the forward ran on (and the backward will).
    public var threads: Int { state.configuration.scheduler.threads }

    /// The vector-Jacobian product: `dL/ds` given `G = dL/dP`,
    ///
    ///     D[i, j] = P[i, j] (G[i, j] - sum_k G[i, k] P[i, k])
    ///
    /// then through the logits and, for SoftSort, through the sort
    /// (<doc:Backward>). Straight-through results
    /// differentiate the soft `P`.
    ///
    /// - Parameter gradient: `dL/dP`, `batch x count x count`, laid out as `matrices`.
    /// - Returns: `dL/ds`, `batch x count`. With a workspace, the returned
    ///   array shares its storage until the workspace's next call.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong size.
    /// - Complexity: O(B n^2), spread over `threads` threads.
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count * count)
        return T.kernelSet.dense.backward(state, gradient)
    }

    /// The relaxed sorted values `M s` of the result's `matrices` `M`, with
    /// their backward through both the soft `P` and `s`: entry `i` of row `b`
    /// is `sum_j M[b, i, j] s[b, j]`. Straight-through results give the sorted
    /// scores exactly and differentiate the soft `P s`.
    ///
    /// - Returns: `batch x count` values and their `backward(_:)`.
    /// - Complexity: O(B n^2); its backward O(B n^2) time and memory.
    public func sortedValues() -> RelaxedValues<T> {
        RelaxedValues(values: T.kernelSet.dense.sortedValues(state, matrices), batch: batch, count: count, source: .dense(state))
    }
}
