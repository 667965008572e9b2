/// A relaxed permutation applied to values, with its backward: the fused
/// `Y = P V` of `SoftSort.apply`, and the exact path's `P V`, `P^T U`,
/// top-k and quantiles.
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
    }

    let source: Source

    init(fused state: ApplyState<T>) {
        self.values = state.output
        self.rows = state.shape.count
        self.source = .fused(state)
    }

    init(values: [T], rows: Int, source: Source) {
        self.values = values
        self.rows = rows
        self.source = source
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
        }
    }
    /// `batch x count` hard permutations, as `RelaxedPermutation.permutation`.
    public var permutation: [Int] {
        switch source {
        case .fused(let state): return state.permutation
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.permutation
        }
    }
    /// The backend whose kernels ran.
    public var backend: Backend {
        switch source {
        case .fused(let state): return state.kernels.backend
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.backend
        }
    }
    /// The number of threads the forward ran on (and the backward will).
    public var threads: Int {
        switch source {
        case .fused(let state): return state.configuration.scheduler.threads
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.configuration.scheduler.threads
        }
    }

    private var shape: BatchShape {
        switch source {
        case .fused(let state): return state.shape
        case .exactRows(let state, _, _, _), .exactTransposed(let state, _, _): return state.shape
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
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong size.
    /// - Complexity: fused: O(B n^2 d) time over `threads` threads, O((B + 16) n d)
    ///   memory; exact: O(B n d). Bitwise identical for every thread count.
    public func backward(_ gradient: [T]) throws(SoftSortError) -> SoftSortGradient<T> {
        try Validation.size("gradient", gradient.count, expected: batch * rows * dimension)
        let kernelSet = T.kernelSet
        switch source {
        case .fused(let state):
            return kernelSet.apply.backward(state, gradient)
        case .exactRows(let state, let values, let d, let selected):
            let full = ExactRelaxedPermutation<T>.expandRows(selected, gradient, shape: state.shape, dimension: d)
            let result = kernelSet.exact.applyBackward(state, values, d, full, false)
            return SoftSortGradient(scores: result.scores, values: result.values)
        case .exactTransposed(let state, let u, let d):
            // <H, P^T U> = <U, P H>: dL/dU = P H, dL/ds the score gradient of P H against U.
            let result = kernelSet.exact.applyBackward(state, gradient, d, u, true)
            return SoftSortGradient(scores: result.scores, values: result.product)
        }
    }
}
