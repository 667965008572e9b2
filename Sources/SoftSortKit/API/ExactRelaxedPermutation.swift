/// The result of `ExactSoftSort.forward`: the `p = 1` relaxed permutations of
/// a batch, held implicitly (`O(B n)` memory), with every output a training
/// step applies to them; each output carries its own exact `backward(_:)`.
///
/// Notation: `P` is `SoftSort(temperature:power: 1)`'s matrix of batch row
/// `b`, rows in sorted order (row 0 = largest score, descending), columns in
/// the scores' own order. Values `V` are `batch x count x d` in column order.
/// Every gradient is exact (the dense VJP), except at exact ties of the
/// scores, where another valid subgradient may be taken. Every operation
/// spreads its batch rows over the forward's `threads`, with bitwise
/// identical results for every thread count.
public struct ExactRelaxedPermutation<T: SoftSortScalar>: Sendable {
    /// The state of the scores divided by `scale` (`ScoreScale`): `P` is the
    /// same; score gradients are divided by `c`, `P s` multiplied by it.
    let state: ExactState<T>
    let scale: ScoreScale<T>

    init(state: ExactState<T>, scale: ScoreScale<T>) {
        self.state = state
        self.scale = scale
    }

    /// The number of score rows `B`.
    public var batch: Int { state.shape.batch }
    /// The length `n` of each score row.
    public var count: Int { state.shape.count }
    /// The number of threads the forward ran on (and every operation will).
    public var threads: Int { state.configuration.scheduler.threads }
    /// The backend whose scans run (`.scalar` or `.simd`).
    public var backend: Backend { state.backend }
    /// `batch x count` hard permutations: `permutation[b * count + i]` is the
    /// column of the `i`-th largest score of row `b` (smallest, ascending),
    /// ties broken by index.
    public var permutation: [Int] { state.permutation }

    /// `log Z_i` for every row of every `P`, `batch x count` (rows sorted):
    /// `Z_i = sum_j exp(-|x_i - s_j| / tau) >= 1`, so every entry is finite and
    /// `log P[i, j] = -|x_i - s_j| / tau - log Z_i`.
    ///
    /// - Complexity: O(B n).
    public var logNormalizers: [T] { T.kernelSet.exact.logNormalizers(state) }

    /// `P V` for every batch row: `Y[b, i, :] = sum_j P[b, i, j] V[b, j, :]`.
    ///
    /// - Parameters:
    ///   - values: `V`, `batch x count x dimension`, in the scores' column order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x count x dimension`, rows in sorted order, and its backward.
    /// - Throws: `SoftSortError.invalidDimension` for `d < 1`, `.sizeMismatch`,
    ///   `.nonFiniteInput`.
    /// - Complexity: O(B n d) time and memory.
    public func apply(to values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try selectedRows(0..<count, of: values, dimension: dimension)
    }

    /// `P^T U` for every batch row: `O[b, j, :] = sum_i P[b, i, j] U[b, i, :]`.
    ///
    /// - Parameters:
    ///   - values: `U`, `batch x count x dimension`, rows in sorted order
    ///     (row `i` goes with the `i`-th largest score, descending).
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x count x dimension`, in the scores' column order,
    ///   and its backward (whose `values` is `dL/dU`).
    /// - Throws: `SoftSortError.invalidDimension`, `.sizeMismatch`, `.nonFiniteInput`.
    /// - Complexity: O(B n d) time and memory.
    public func applyTransposed(to values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try Validation.matrix("values", values, shape: state.shape, dimension: dimension)
        let output = T.kernelSet.exact.applyTransposed(state, values, dimension)
        return RelaxedProduct(
            values: output, rows: count, source: .exactTransposed(state, values: values, dimension: dimension),
            scale: scale)
    }

    /// The relaxed sorted values `P s`, `batch x count`: entry `i` of row `b`
    /// is close to the `i`-th largest score (smallest, ascending).
    ///
    /// - Returns: the values and their backward through both `P` and `s`.
    /// - Complexity: O(B n).
    public func sortedValues() -> RelaxedValues<T> {
        let values = scale.multiply(T.kernelSet.exact.applyToScores(state))
        return RelaxedValues(
            values: values, batch: batch, count: count, source: .exactSortedValues(state), gradientScale: .identity)
    }

    /// The relaxed ranks `P^T r`, `r = (1, 2, ..., n)`: entry `j` of row `b` is
    /// close to the rank of score `j` (1 = largest, descending).
    ///
    /// - Returns: `batch x count` ranks, in the scores' column order, and their backward.
    /// - Complexity: O(B n).
    public func ranks() -> RelaxedValues<T> {
        let exact = T.kernelSet.exact
        let values = exact.applyTransposed(state, exact.rankRows(state.shape), 1)
        return RelaxedValues(values: values, batch: batch, count: count, source: .exactRanks(state), gradientScale: scale)
    }

    /// Relaxed top-k: the first `k` rows of `P` applied to values.
    ///
    /// - Parameters:
    ///   - k: `0 ... count`.
    ///   - values: `V`, `batch x count x dimension`, column order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x k x dimension` (row `i < k` is close to the values
    ///   of the `i`-th largest score) and its backward.
    /// - Throws: `SoftSortError.invalidRowSelection` for `k` outside `0 ... count`,
    ///   `.invalidDimension`, `.sizeMismatch`, `.nonFiniteInput`.
    /// - Complexity: O(B n d) (the normalizers need every column).
    public func topK(_ k: Int, of values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try Validation.rowSelection("k", k, count: count)
        return try selectedRows(0..<k, of: values, dimension: dimension)
    }

    /// The relaxed quantile `q`: row `round(q (n - 1))` of `P` (ties of the
    /// rounding away from zero) applied to values. `q = 0` is the largest
    /// score's row (descending), `q = 1` the smallest's.
    ///
    /// - Parameters:
    ///   - q: the level, in `[0, 1]`.
    ///   - values: `V`, `batch x count x dimension`, column order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x 1 x dimension` and its backward.
    /// - Throws: `SoftSortError.invalidArgument(name: "q", ...)` for `q` outside
    ///   `[0, 1]`, `.invalidRowSelection` for `count == 0`, `.invalidDimension`,
    ///   `.sizeMismatch`, `.nonFiniteInput`.
    /// - Complexity: O(B n d).
    public func quantile(_ q: Double, of values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        guard q.isFinite, q >= 0, q <= 1 else { throw .invalidArgument(name: "q", value: q) }
        try Validation.rowSelection("quantile rows", 1, count: count)
        let row = min(count - 1, Int((q * Double(count - 1)).rounded(.toNearestOrAwayFromZero)))
        return try selectedRows(row..<row + 1, of: values, dimension: dimension)
    }

    /// The paper's sorting loss, the cross-entropy against target
    /// permutations, with its gradient:
    ///
    ///     loss = -sum_(b, i) log P[b, i, t[b, i]]
    ///     log P[i, t_i] = -|x_i - s_(t_i)| / tau - log Z_i   (computed directly)
    ///
    /// `t[b, i]` is the column row `i` should pick (a permutation, or any
    /// columns). The loss is summed in `Double` and rounded to `T` once; it is
    /// `+infinity` in `T` only when the true sum exceeds `T`'s range
    /// (`T.greatestFiniteMagnitude`): the one output that is not finite for
    /// finite scores, and only where the true value is not representable.
    ///
    /// - Parameter targets: `t`, `batch x count` columns in `0 ..< count`.
    /// - Returns: the loss and `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `targets` has the wrong
    ///   size, `.indexOutOfRange` for a column outside `0 ..< count`.
    /// - Complexity: O(B n).
    public func crossEntropy(targets: [Int]) throws(SoftSortError) -> Loss<T> {
        try Validation.targets(targets, shape: state.shape)
        let result = T.kernelSet.exact.crossEntropy(state, targets)
        return Loss(value: T(result.loss), gradient: scale.divide(result.gradient), path: .exact, backend: backend)
    }

    /// The paper's differentiable kNN loss (section 5.4, after Grover et al.):
    /// with the scores as negative distances from a query to `n` candidates
    /// and `y` the indicator of candidates of the query's class,
    ///
    ///     loss = -(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]
    ///
    /// the negative mean over the batch of the relaxed fraction of the `k`
    /// nearest candidates that share the query's class.
    ///
    /// - Parameters:
    ///   - matches: `y`, `batch x count` (1 where the candidate's class
    ///     matches, else 0), in column order; it is not differentiated.
    ///   - k: the number of neighbours, `1 ... count`.
    /// - Returns: the loss and `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch`, `.nonFiniteInput`,
    ///   `.invalidRowSelection` for `k` outside `1 ... count`.
    /// - Complexity: O(B n).
    public func nearestNeighborLoss(matches: [T], k: Int) throws(SoftSortError) -> Loss<T> {
        try Validation.matrix("matches", matches, shape: state.shape, dimension: 1)
        try Validation.rowSelection("k", k, count: count, minimum: 1)
        let n = count
        let weight = -1 / (T(batch) * T(k))
        var rowGradient = [T](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for i in 0..<k { rowGradient[b * n + i] = weight }
        }
        let result = T.kernelSet.exact.applyBackward(state, matches, 1, rowGradient, true)
        var loss = 0.0
        for (g, y) in zip(rowGradient, result.product) { loss += Double(g) * Double(y) }
        return Loss(value: T(loss), gradient: scale.divide(result.scores), path: .exact, backend: backend)
    }

    /// Rows `selected` (sorted) of `P V`.
    private func selectedRows(_ selected: Range<Int>, of values: [T], dimension: Int) throws(SoftSortError) -> RelaxedProduct<T> {
        try Validation.matrix("values", values, shape: state.shape, dimension: dimension)
        let full = T.kernelSet.exact.apply(state, values, dimension)
        let output = selected.count == count ? full : Self.selectRows(selected, of: full, shape: state.shape, dimension: dimension)
        return RelaxedProduct(
            values: output, rows: selected.count,
            source: .exactRows(state, values: values, dimension: dimension, rows: selected), scale: scale)
    }

    /// Rows `rows` of every batch row of a `batch x count x d` array.
    static func selectRows(_ rows: Range<Int>, of full: [T], shape: BatchShape, dimension d: Int) -> [T] {
        var result: [T] = []
        result.reserveCapacity(shape.batch * rows.count * d)
        for b in 0..<shape.batch {
            result += full[(b * shape.count + rows.lowerBound) * d ..< (b * shape.count + rows.upperBound) * d]
        }
        return result
    }

    /// A `batch x count x d` array with `part` (`batch x rows.count x d`) at `rows`, zero elsewhere.
    static func expandRows(_ rows: Range<Int>, _ part: [T], shape: BatchShape, dimension d: Int) -> [T] {
        guard rows.count != shape.count else { return part }
        var full = [T](repeating: 0, count: shape.elements * d)
        let width = rows.count * d
        for b in 0..<shape.batch {
            let start = (b * shape.count + rows.lowerBound) * d
            for e in 0..<width { full[start + e] = part[b * width + e] }
        }
        return full
    }
}
