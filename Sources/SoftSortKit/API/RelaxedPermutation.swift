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

    /// The forward of the scores divided by `scale` (`ScoreScale`): `P` is the
    /// same, score gradients are divided by `c`, `P s` multiplied by it.
    let state: DenseState<T>
    let scale: ScoreScale<T>
    /// The caller's scores (`state.scores` holds them divided by `c`).
    let scores: [T]

    init(
        scores: [T], shape: BatchShape, method: DenseMethod, mode: OutputMode, configuration: Configuration<T>,
        workspace: DenseWorkspace<T>?
    ) throws(SoftSortError) {
        let matrix = MemoryBudget.product(shape.batch, shape.count, shape.count)
        let held = (workspace?.matrices.capacity ?? 0) + (mode == .straightThrough ? workspace?.hardMatrices.capacity ?? 0 : 0)
        try MemoryBudget.require(
            MemoryBudget.sum(mode == .straightThrough ? MemoryBudget.sum(matrix, matrix) : matrix, -held), of: T.self,
            alternative: method == .neuralSort
                ? "NeuralSort needs its B x n x n matrices; use a smaller batch, or SoftSort's fused or exact paths"
                : "SoftSort.apply(to:scores:batch:count:dimension:) (fused P V, O(B n d)) and ExactSoftSort (p = 1, O(B n)) form no matrix")
        let kernelSet = T.kernelSet
        let power: DistancePower? = if case .softSort(let p) = method { p } else { nil }
        var kernels = kernelSet.denseKernels(configuration.backend, power: power)
        let scaled: Configuration<T>
        if let power {
            scale = ScoreScale(scores, bound: .distance(power: power.value))
            scaled = configuration.rescaled(by: scale, power: power.value)
        } else {
            scale = ScoreScale(scores, bound: .neuralSort(count: shape.count))
            scaled = configuration.rescaled(by: scale, power: 1)
            if WideLogitKernels.neuralSortMayOverflow(
                count: shape.count, largestMagnitude: scale.largestMagnitude, temperature: configuration.temperature) {
                kernels = kernelSet.dense.wideLogitKernels
            }
        }
        let result = kernelSet.dense.forward(DenseRequest(
            scores: scale.divide(scores), shape: shape, method: method, mode: mode, configuration: scaled,
            kernels: kernels, workspace: workspace))
        self.matrices = result.matrices
        self.mode = mode
        self.state = result.state
        self.scores = scores
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
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong
    ///   size, `.nonFiniteInput(argument: "gradient", row: b, column: i * count + j)`
    ///   for an infinite or NaN entry. To keep the cost `O(B n)` rather than a
    ///   pass over `B n^2`, the result is checked and `gradient` searched only
    ///   when the result is not finite; a finite `gradient` whose true `dL/ds`
    ///   exceeds `T`'s range gives `+-infinity` there.
    /// - Complexity: O(B n^2), spread over `threads` threads.
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count * count)
        let result = try Validation.resultOfLargeGradient(
            T.kernelSet.dense.backward(state, gradient), gradient: gradient, argument: "gradient", rowLength: count * count)
        return scale.divide(result)
    }

    /// The relaxed sorted values `M s` of the result's `matrices` `M`, with
    /// their backward through both the soft `P` and `s`: entry `i` of row `b`
    /// is `sum_j M[b, i, j] s[b, j]`. Straight-through results give the sorted
    /// scores exactly and differentiate the soft `P s`.
    ///
    /// - Returns: `batch x count` values and their `backward(_:)`.
    /// - Complexity: O(B n^2); its backward O(B n^2) time and memory.
    public func sortedValues() -> RelaxedValues<T> {
        RelaxedValues(
            values: scale.multiply(T.kernelSet.dense.sortedValues(state, matrices)), batch: batch, count: count,
            source: .dense(state), gradientScale: .identity)
    }
}
