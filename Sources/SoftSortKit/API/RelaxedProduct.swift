/// A relaxed permutation applied to values, with its backward: the fused
/// `Y = P V` of `SoftSort.apply`, the exact path's `P V`, `P^T U`,
/// top-k and quantiles, and the gauss path's `P V`.
///
/// Element `(b, i, k)` of `values` sits at `(b * rows + i) * dimension + k`.
/// A fused product holds O(B n d) state, never the `B x n x n` matrices: its
/// backward recomputes `P` tile by tile.
public struct RelaxedProduct<T: SoftSortScalar>: Sendable {
    /// The product, `batch x rows x dimension`.
    public let values: [T]
    /// The rows per batch row: `count` for `P V` and `P^T U`, `k` for top-k, 1 for a quantile.
    public let rows: Int

    enum Source: Sendable {
        /// `SoftSort.apply`'s fused product.
        case fused(ApplyState<T>)
        /// Rows `rows` (sorted) of an exact `P V`; `values` is `V`.
        case exactRows(ExactState<T>, values: [T], dimension: Int, rows: Range<Int>)
        /// An exact `P^T U`; `values` is `U`.
        case exactTransposed(ExactState<T>, values: [T], dimension: Int)
        /// A gauss `P V` (`GaussRelaxedPermutation.apply`).
        case gauss(GaussProductState<T>)
    }

    let source: Source
    /// The forward ran on the scores divided by this scale's `c`
    /// (`ScoreScale`): the score gradient is divided by `c`.
    let scale: ScoreScale<T>

    init(fused state: ApplyState<T>, scale: ScoreScale<T>) {
        self.values = state.output
        self.rows = state.shape.count
        self.source = .fused(state)
        self.scale = scale
    }

    init(values: [T], rows: Int, source: Source, scale: ScoreScale<T>) {
        self.values = values
        self.rows = rows
        self.source = source
        self.scale = scale
    }

    /// The number of score rows `B`.
    public var batch: Int { shape.batch }
    /// The length `n` of each score row.
    public var count: Int { shape.count }
    /// The width `d` of each value row.
    public var dimension: Int {
        switch source {
        case .fused(let state): return state.dimension
        case .exactRows(_, _, let d, _), .exactTransposed(_, _, let d): return d
        case .gauss(let product): return product.dimension
        }
    }
    /// `batch x count` hard permutations, as `RelaxedPermutation.permutation`.
    public var permutation: [Int] {
        switch source {
        case .fused(let state): return state.permutation
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.permutation
        case .gauss(let product): return product.state.permutation
        }
    }
    /// The backend whose kernels ran.
    public var backend: Backend {
        switch source {
        case .fused(let state): return state.kernels.backend
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.backend
        // The transforms are Swift SIMD (SIMD4<Double>) code on every backend.
        case .gauss: return .simd
        }
    }
    /// The number of threads the forward ran on (and the backward will).
    public var threads: Int {
        switch source {
        case .fused(let state): return state.configuration.scheduler.threads
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.configuration.scheduler.threads
        case .gauss(let product): return product.state.scheduler.threads
        }
    }

    private var shape: BatchShape {
        switch source {
        case .fused(let state): return state.shape
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.shape
        case .gauss(let product): return product.state.shape
        }
    }

    /// The vector-Jacobian product: `dL/ds` and `dL/dV` given `G = dL/dvalues`.
    ///
    ///     dL/dV[j]  = sum_i P[i, j] G[i]
    ///     D[i, j]   = P[i, j] (<G[i], V[j]> - <G[i], Y[i]>)
    ///
    /// then `D` goes through the logits and the sort as in
    /// `RelaxedPermutation.backward(_:)`. For `P^T U`, `values` of the result
    /// is `dL/dU = P G`.
    ///
    /// - Parameter gradient: `dL/dvalues`, `batch x rows x dimension`, laid out as `values`.
    /// - Returns: `dL/ds` (`batch x count`) and `dL/dV` (laid out as `V`).
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong
    ///   size, `.nonFiniteInput(argument: "gradient", row: b, column: i * d + e)`
    ///   for an infinite or NaN entry, `.insufficientMemory` when the fused
    ///   backward's `O((B + 16) n d)` buffers do not fit.
    /// - Complexity: fused: O(B n^2 d) time over `threads` threads, O((B + 16) n d)
    ///   memory; exact and gauss: O(B n d). Bitwise identical for every thread count.
    public func backward(_ gradient: [T]) throws(SoftSortError) -> SoftSortGradient<T> {
        try Validation.size("gradient", gradient.count, expected: batch * rows * dimension)
        try Validation.finite("gradient", gradient, rowLength: rows * dimension)
        let kernelSet = T.kernelSet
        let result: SoftSortGradient<T>
        switch source {
        case .fused(let state):
            try MemoryBudget.require(
                MemoryBudget.product(MemoryBudget.sum(batch, 16), count, MemoryBudget.sum(dimension, 2)), of: T.self,
                alternative: "ExactSoftSort (p = 1) differentiates P V in O(B n d) without per-block partials")
            result = kernelSet.apply.backward(state, gradient)
        case .exactRows(let state, let values, let d, let selected):
            let full = ExactRelaxedPermutation<T>.expandRows(selected, gradient, shape: state.shape, dimension: d)
            let exact = kernelSet.exact.applyBackward(state, values, d, full, false)
            result = SoftSortGradient(scores: exact.scores, values: exact.values)
        case .exactTransposed(let state, let u, let d):
            // <H, P^T U> = <U, P H>: dL/dU = P H, dL/ds the score gradient of P H against U.
            let exact = kernelSet.exact.applyBackward(state, gradient, d, u, true)
            result = SoftSortGradient(scores: exact.scores, values: exact.product)
        case .gauss(let product):
            result = kernelSet.gaussOutputs.applyBackward(product, gradient)
        }
        return scale.isIdentity ? result : SoftSortGradient(scores: scale.divide(result.scores), values: result.values)
    }
}
