/// `RelaxedPermutation.sparseRows(rows:)` on the window path: the first `k` rows of each
/// batch row's relaxed permutation, each restricted to a window of
/// consecutive sorted ranks and renormalized over it.
///
/// Sparse format (compressed rows, batch-major). Row `r = b * rows + i` is
/// row `i` (the `i`-th largest score, descending) of batch row `b`:
///
/// - its entries are `values[rowOffsets[r] ..< rowOffsets[r + 1]]`;
/// - entry `t` belongs to sorted rank `firstRank[r] + t`, i.e. to column
///   `columns[rowOffsets[r] + t] == permutation[b * count + firstRank[r] + t]`;
/// - `values` of a row sum to 1: `P~[i, j] = exp(z[i, j]) / sum_(kept) exp(z[i, .])`;
/// - `droppedMass[r]` bounds from above the mass the dense row puts outside
///   the window, `sum_(dropped j) P[i, j]`; so `|P~ - P|_1 <= 2 droppedMass`
///   on that row.
public struct SparseRows<T: SoftSortScalar>: Sendable {
    /// The rows of the scores divided by `scale` (`ScoreScale`): the entries
    /// are the same; the score gradient is divided by `c`.
    let state: WindowState<T>
    let scale: ScoreScale<T>
    /// Folds score gradients onto the caller's rows (a perturbation).
    let perturbation: PerturbedRows<T>?

    /// The path that ran: the window.
    public let path: SoftSortPath

    init(state: WindowState<T>, path: SoftSortPath, scale: ScoreScale<T>, perturbation: PerturbedRows<T>?) {
        self.state = state
        self.path = path
        self.scale = scale
        self.perturbation = perturbation
    }

    /// The number of score rows `B`.
    public var batch: Int { state.shape.batch }
    /// The length `n` of each score row.
    public var count: Int { state.shape.count }
    /// The rows `k` kept per batch row.
    public var rows: Int { state.rows }
    /// The backend whose row kernels ran.
    public var backend: Backend { state.kernels.backend }
    /// The number of threads the forward ran on (and the backward will).
    public var threads: Int { state.configuration.scheduler.threads }
    /// `batch x count` hard permutations (the descending argsort of each row,
    /// ascending when asked), ties broken by index.
    public var permutation: [Int] { state.permutation }
    /// `batch * rows + 1` offsets of each row's entries in `values`.
    public var rowOffsets: [Int] { state.rowOffsets }
    /// `batch * rows`: the sorted rank of each row's first entry.
    public var firstRank: [Int] { state.firstRank }
    /// The kept entries, row after row.
    public var values: [T] { state.values }
    /// The column (index into the scores' row) of every entry of `values`.
    public var columns: [Int] { state.columns }
    /// `batch * rows` upper bounds on the dense rows' mass outside the windows.
    public var droppedMass: [T] { state.droppedMass }

    /// The kept rows as a dense `batch x rows x count` array (zero outside the
    /// windows), for inspection and tests.
    ///
    /// - Returns: element `(b, i, j)` at `(b * rows + i) * count + j`.
    /// - Complexity: O(B k n) memory.
    public func denseRows() -> [T] { T.kernelSet.window.denseRows(state) }

    /// The vector-Jacobian product: `dL/ds` given `dL/dP~` for the kept entries.
    ///
    /// It differentiates the windowed, renormalized rows exactly (the window
    /// is held fixed, as a sort's order is).
    ///
    /// - Parameter gradient: `dL/dvalues`, laid out as `values`.
    /// - Returns: `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong
    ///   size, `.nonFiniteInput(argument: "gradient", row: r, column: t)` for an
    ///   infinite or NaN entry (`r = b * rows + i` the kept row, `t` the
    ///   entry's index within it).
    /// - Complexity: O(B (n + k m)), `m` the mean window width, over `threads` threads.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: state.values.count)
        if let bad = Validation.firstNonFinite(gradient) {
            var row = 0
            while state.rowOffsets[row + 1] <= bad { row += 1 }
            throw .nonFiniteInput(argument: "gradient", row: row, column: bad - state.rowOffsets[row])
        }
        let result = scale.divide(try AllocationFailures.checking { T.kernelSet.window.backward(state, gradient) })
        return perturbation?.fold(result) ?? result
    }
}
