/// A relaxed permutation applied to values, with its backward: `P V`,
/// `P^T U`, top-k rows and quantile rows of `RelaxedPermutation`.
///
/// Element `(b, i, e)` of `values` sits at `(b * rows + i) * dimension + e`.
/// The product holds what its path's backward reads (never the `B x n x n`
/// matrices, except on the dense path): the fused path recomputes `P` tile
/// by tile.
public struct RelaxedProduct<T: SoftSortScalar>: Sendable {
    /// The product, `batch x rows x dimension`.
    public let values: [T]
    /// The rows per batch row: `count` for `P V` and `P^T U`, `k` for top-k,
    /// the number of quantiles for `quantiles`.
    public let rows: Int
    /// The width `d` of each value row.
    public let dimension: Int
    /// The path that ran (never `.automatic`).
    public let path: SoftSortPath
    /// The backend whose kernels ran.
    public let backend: Backend
    /// The number of threads the forward ran on (and the backward will).
    public let threads: Int

    /// What the backward reads, by path; `input` is `V` (or `U`).
    enum Source: Sendable {
        case fused(ApplyState<T>)
        case dense(DenseState<T>, input: [T], transposed: Bool)
        case exact(ExactState<T>, input: [T], transposed: Bool)
        case gauss(GaussProductState<T>)
        case gaussTransposed(GaussState<T>, input: [T])
        case window(WindowState<T>, input: [T], transposed: Bool)
    }

    let source: Source
    let shape: BatchShape
    /// The rows of the full product kept per batch row (top-k, quantiles), or `nil` for all.
    let selection: [Int]?
    /// The full product's rows per batch row.
    let fullRows: Int
    /// The score gradient of the source is divided by this scale's `c`.
    let scale: ScoreScale<T>
    let perturbation: PerturbedRows<T>?
    /// The forward's workspace, held for the backward.
    let workspace: Workspace<T>?
    /// The product ran on `V / c` (values near `T`'s largest): its values and
    /// score gradient are multiplied by `c`.
    let valueScale: ScoreScale<T>

    init(
        full: [T], fullRows: Int, dimension: Int, selection: [Int]?, source: Source, shape: BatchShape,
        path: SoftSortPath, backend: Backend, threads: Int, scale: ScoreScale<T>, perturbation: PerturbedRows<T>?,
        workspace: Workspace<T>?, valueScale: ScoreScale<T> = .identity
    ) {
        self.values = selection.map { Self.select($0, of: full, batch: shape.batch, rows: fullRows, dimension: dimension) } ?? full
        self.rows = selection?.count ?? fullRows
        self.dimension = dimension
        self.fullRows = fullRows
        self.selection = selection
        self.source = source
        self.shape = shape
        self.path = path
        self.backend = backend
        self.threads = threads
        self.scale = scale
        self.perturbation = perturbation
        self.workspace = workspace
        self.valueScale = valueScale
    }

    /// The number of score rows `B`.
    public var batch: Int { shape.batch }
    /// The length `n` of each score row.
    public var count: Int { shape.count }

    /// The vector-Jacobian product: `dL/ds` and `dL/dV` given `G = dL/dvalues`.
    ///
    ///     dL/dV[j]  = sum_i P[i, j] G[i]
    ///     D[i, j]   = P[i, j] (<G[i], V[j]> - <G[i], Y[i]>)
    ///
    /// then `D` goes through the logits and the sort (<doc:Backward>). For
    /// `P^T U`, `values` of the result is `dL/dU = P G`.
    ///
    /// - Parameter gradient: `dL/dvalues`, `batch x rows x dimension`, laid out as `values`.
    /// - Returns: `dL/ds` (`batch x count`) and `dL/dV` (laid out as `V`).
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong
    ///   size, `.nonFiniteInput(argument: "gradient", row: b, column: i * d + e)`
    ///   for an infinite or NaN entry, `.insufficientMemory` when the fused
    ///   backward's `O((B + 16) n d)` buffers do not fit, `.workspaceInUse`
    ///   when another call holds the forward's workspace.
    /// - Complexity: fused and dense: O(B n^2 d); window O(B n w d); exact
    ///   and gauss: O(B n d). Bitwise identical for every thread count.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func backward(_ gradient: [T]) throws(SoftSortError) -> SoftSortGradient<T> {
        try holding(workspace) { () throws(SoftSortError) -> SoftSortGradient<T> in try backwardHeld(gradient) }
    }

    /// `backward(_:)` with the workspace held (the caller holds it).
    func backwardHeld(_ gradient: [T]) throws(SoftSortError) -> SoftSortGradient<T> {
        let (parts, k) = try backwardInUnits(gradient)
        guard k != 1 else { return parts }
        return SoftSortGradient(scores: parts.scores.map { $0 * k }, values: parts.values.map { $0 * k })
    }

    /// `backwardHeld(_:)` in units of `k`, a power of two (1 where no term
    /// could overflow, `gradientDivisor`): the backward runs on `G / k`, and
    /// the caller multiplies by `k` after adding what it adds, so that
    /// nothing summed passes the type's range before it is summed.
    func backwardInUnits(_ gradient: [T]) throws(SoftSortError) -> (parts: SoftSortGradient<T>, k: T) {
        try Validation.size("gradient", gradient.count, expected: batch * rows * dimension)
        try Validation.finite("gradient", gradient, rowLength: rows * dimension)
        let full = selection.map { Self.expand($0, gradient, batch: batch, rows: fullRows, dimension: dimension) } ?? gradient
        let k = gradientDivisor(full)
        let result = try sourceBackward(k == 1 ? full : full.map { $0 / k })
        // The samples are summed before the scales grow their terms: two
        // samples past the type's range would meet as inf - inf.
        let folded = perturbation?.fold(result.scores) ?? result.scores
        return (SoftSortGradient(scores: valueScale.multiply(scale.divide(folded)), values: result.values), k)
    }

    /// The source's backward of the full product, score gradient before the scale.
    func sourceBackward(_ gradient: [T]) throws(SoftSortError) -> SoftSortGradient<T> {
        let kernelSet = T.kernelSet, d = dimension
        switch source {
        case .fused(let state):
            try MemoryBudget.require(
                MemoryBudget.product(MemoryBudget.sum(batch, 16), count, MemoryBudget.sum(d, 2)), of: T.self,
                alternative: "path: .exact (p = 1) and .gauss (p = 2) differentiate P V in O(B n d)")
            return kernelSet.apply.backward(state, gradient)
        case .dense(let state, let input, let transposed):
            try MemoryBudget.require(
                MemoryBudget.product(batch, count, count), of: T.self,
                alternative: "path: .exact (p = 1) and .gauss (p = 2) differentiate products in O(B n d)")
            let dense = kernelSet.dense
            // <G, P V>: dP = G V^T, dV = P^T G.  <H, P^T U>: dP = U H^T, dU = P H.
            let matrixGradient = transposed ? dense.outer(state, input, gradient, d) : dense.outer(state, gradient, input, d)
            return SoftSortGradient(
                scores: dense.backward(state, matrixGradient), values: dense.product(state, gradient, d, !transposed))
        case .exact(let state, let input, let transposed):
            if transposed {
                // <H, P^T U> = <U, P H>: dL/dU = P H, dL/ds the score gradient of P H against U.
                let exact = kernelSet.exact.applyBackward(state, gradient, d, input, true)
                return SoftSortGradient(scores: exact.scores, values: exact.product)
            }
            let exact = kernelSet.exact.applyBackward(state, input, d, gradient, false)
            return SoftSortGradient(scores: exact.scores, values: exact.values)
        case .gauss(let product):
            return kernelSet.gaussOutputs.applyBackward(product, gradient)
        case .gaussTransposed(let state, let input):
            return kernelSet.gaussOutputs.applyTransposedBackward(state, input, d, gradient)
        case .window(let state, let input, let transposed):
            let window = kernelSet.window
            let entries = transposed
                ? window.entryGradient(state, input, gradient, d) : window.entryGradient(state, gradient, input, d)
            return SoftSortGradient(scores: window.backward(state, entries), values: window.product(state, gradient, d, !transposed))
        }
    }

    /// Rows `selection` of every batch row of a `batch x rows x d` array.
    static func select(_ selection: [Int], of full: [T], batch: Int, rows: Int, dimension d: Int) -> [T] {
        var result: [T] = []
        result.reserveCapacity(batch * selection.count * d)
        for b in 0..<batch {
            for row in selection { result += full[(b * rows + row) * d ..< (b * rows + row + 1) * d] }
        }
        return result
    }

    /// A `batch x rows x d` array with `part` (`batch x selection.count x d`)
    /// at rows `selection` (summed where a row repeats), zero elsewhere.
    static func expand(_ selection: [Int], _ part: [T], batch: Int, rows: Int, dimension d: Int) -> [T] {
        var full = [T](repeating: 0, count: batch * rows * d)
        for b in 0..<batch {
            for (position, row) in selection.enumerated() {
                for e in 0..<d { full[(b * rows + row) * d + e] += part[(b * selection.count + position) * d + e] }
            }
        }
        return full
    }
}
