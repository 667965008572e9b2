/// The relaxed permutation matrices `P` themselves, `batch x count x count`,
/// with their backward: `RelaxedPermutation.matrices(_:)`.
///
/// Element `(b, i, j)` of `values` sits at `(b * count + i) * count + j`.
public struct RelaxedMatrices<T: SoftSortScalar>: Sendable {
    /// `batch x count x count` row-stochastic matrices: the soft `P` or, with
    /// `OutputMode.straightThrough`, the exact permutation matrices. On the
    /// window path, the kept entries with zeros outside each row's window.
    public let values: [T]
    /// Whether `values` holds the soft or the straight-through matrices.
    public let mode: OutputMode
    /// The path that ran: `.dense` or `.window`.
    public let path: SoftSortPath
    /// The backend whose kernels ran.
    public let backend: Backend
    /// The number of threads the forward ran on (and the backward will).
    public let threads: Int
    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int

    enum Source: Sendable {
        case dense(DenseState<T>)
        case window(WindowState<T>)
    }

    let source: Source
    /// The forward ran on the scores divided by this scale's `c`: the score
    /// gradient is divided by `c`.
    let scale: ScoreScale<T>
    let perturbation: PerturbedRows<T>?
    /// The forward's workspace, held for the backward.
    let workspace: Workspace<T>?

    /// The vector-Jacobian product: `dL/ds` given `G = dL/dP`,
    ///
    ///     D[i, j] = P[i, j] (G[i, j] - sum_k G[i, k] P[i, k])
    ///
    /// then through the logits and, for SoftSort, through the sort
    /// (<doc:Backward>). Straight-through matrices differentiate the soft `P`.
    ///
    /// - Parameter gradient: `dL/dP`, `batch x count x count`, laid out as `values`.
    /// - Returns: `dL/ds`, `batch x count`. With a workspace, the returned
    ///   array shares its storage until the workspace's next call.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong
    ///   size, `.nonFiniteInput(argument: "gradient", row: b, column: i * count + j)`
    ///   for an infinite or NaN entry. To keep the check `O(B n)` rather than a
    ///   pass over `B n^2`, the result is checked and `gradient` searched only
    ///   when the result is not finite; a finite `gradient` whose true `dL/ds`
    ///   exceeds `T`'s range gives `+-infinity` there. `.workspaceInUse` when
    ///   another call holds the forward's workspace.
    /// - Complexity: O(B n^2), spread over `threads` threads.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try holding(workspace) { () throws(SoftSortError) -> [T] in try backwardHeld(gradient) }
    }

    /// `backward(_:)` with the workspace held.
    private func backwardHeld(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count * count)
        let kernelSet = T.kernelSet
        let raw: [T]
        switch source {
        case .dense(let state): raw = kernelSet.dense.backward(state, gradient)
        case .window(let state):
            // Entries outside the windows are not read: check them all here.
            try Validation.finite("gradient", gradient, rowLength: count * count)
            raw = kernelSet.window.backward(state, kernelSet.window.gatherEntries(state, gradient))
        }
        let result = try Validation.resultOfLargeGradient(raw, gradient: gradient, argument: "gradient", rowLength: count * count)
        let scores = scale.divide(result)
        return perturbation?.fold(scores) ?? scores
    }
}
