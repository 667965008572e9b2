/// The result of `ExactSoftSort.forward`: the `p = 1` relaxed permutations of
/// a batch, held implicitly (`O(B n)` memory), with everything a training
/// step applies to them and their exact gradients.
///
/// Notation: `P` is `SoftSort(temperature:power: 1)`'s matrix of batch row
/// `b`, rows in sorted order (row 0 = largest score, descending), columns in
/// the scores' own order. Values `V` are `batch x count x d` in column order;
/// results with rows in sorted order are `batch x count x d` too. Every
/// gradient is exact (the dense VJP), except at exact ties of the scores,
/// where a different valid subgradient may be taken. Every operation spreads
/// its batch rows over the forward's `threads`, with bitwise identical
/// results for every thread count.
public struct ExactRelaxedPermutation<T: SoftSortScalar>: Sendable {
    let state: ScanState<T>

    init(state: ScanState<T>) { self.state = state }

    private var operations: ScanOperations<T> { .current }

    /// The number of score rows.
    public var batch: Int { state.batch }
    /// The length `n` of each score row.
    public var count: Int { state.count }
    /// The number of threads the forward ran on (and every operation will).
    public var threads: Int { state.scheduler.threads }
    /// `batch x count` hard permutations: `permutation[b * count + i]` is the
    /// column of the `i`-th largest score of row `b` (smallest, ascending),
    /// ties broken by index.
    public var permutation: [Int] { state.permutation }

    /// `log Z_i` for every row of every `P`, `batch x count` (rows sorted):
    /// `Z_i = sum_j exp(-|x_i - s_j| / tau) >= 1`, so every entry is finite and
    /// `log P[i, j] = -|x_i - s_j| / tau - log Z_i`.
    ///
    /// - Complexity: O(B n).
    public var logNormalizers: [T] { operations.logNormalizers(state) }

    // MARK: P V

    /// `P V` for every batch row: `Y[b, i, :] = sum_j P[b, i, j] V[b, j, :]`.
    ///
    /// - Parameters:
    ///   - values: `V`, `batch x count x dimension`, in the scores' column order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x count x dimension`, rows in sorted order.
    /// - Throws: `SoftSortError.invalidDimension` for `d < 1`,
    ///   `.sizeMismatch` when `values` has the wrong size.
    /// - Complexity: O(B n d) time and memory.
    public func apply(to values: [T], dimension: Int = 1) throws(SoftSortError) -> [T] {
        try ExactValidation.matrix("values", values.count, rows: batch * count, dimension: dimension)
        return operations.apply(state, values, dimension)
    }

    /// The vector-Jacobian product of `apply(to:dimension:)`: `dL/ds` and
    /// `dL/dV` given `G = dL/d(P V)`.
    ///
    /// - Parameters:
    ///   - values: the `V` of the forward, `batch x count x dimension`.
    ///   - dimension: `d >= 1`.
    ///   - gradient: `G`, `batch x count x dimension`, rows in sorted order.
    /// - Returns: `scores`, `batch x count`, and `values`, laid out as `V`.
    /// - Throws: `SoftSortError.invalidDimension` or `.sizeMismatch`.
    /// - Complexity: O(B n d) time and memory.
    public func backwardOfApply(
        to values: [T], dimension: Int = 1, gradient: [T]
    ) throws(SoftSortError) -> (scores: [T], values: [T]) {
        try ExactValidation.matrix("values", values.count, rows: batch * count, dimension: dimension)
        try ExactValidation.matrix("gradient", gradient.count, rows: batch * count, dimension: dimension)
        let result = operations.applyBackward(state, values, dimension, gradient, false)
        return (result.scores, result.values)
    }

    /// The relaxed sorted values `P s`, `batch x count`.
    ///
    /// - Returns: `batch x count`; entry `i` of row `b` is close to the
    ///   `i`-th largest score (smallest, ascending).
    /// - Complexity: O(B n).
    public func sortedValues() -> [T] {
        operations.apply(state, state.scores, 1)
    }

    /// The vector-Jacobian product of `sortedValues()`, through both `P` and
    /// `s`: `dL/ds` given `dL/d(P s)`.
    ///
    /// - Parameter gradient: `dL/d(P s)`, `batch x count`.
    /// - Returns: `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong size.
    /// - Complexity: O(B n).
    public func backwardOfSortedValues(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count)
        let result = operations.applyBackward(state, state.scores, 1, gradient, false)
        var total = result.scores
        for k in total.indices { total[k] += result.values[k] }
        return total
    }

    // MARK: P^T U

    /// `P^T U` for every batch row: `O[b, j, :] = sum_i P[b, i, j] U[b, i, :]`.
    ///
    /// - Parameters:
    ///   - rows: `U`, `batch x count x dimension`, rows in sorted order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x count x dimension`, in the scores' column order.
    /// - Throws: `SoftSortError.invalidDimension` or `.sizeMismatch`.
    /// - Complexity: O(B n d) time and memory.
    public func applyTransposed(to rows: [T], dimension: Int = 1) throws(SoftSortError) -> [T] {
        try ExactValidation.matrix("rows", rows.count, rows: batch * count, dimension: dimension)
        return operations.applyTransposed(state, rows, dimension)
    }

    /// The vector-Jacobian product of `applyTransposed(to:dimension:)`: `dL/ds`
    /// and `dL/dU` given `H = dL/d(P^T U)`. Since `<H, P^T U> = <U, P H>`,
    /// `dL/dU = P H` and `dL/ds` is the score gradient of `P H` against `U`.
    ///
    /// - Parameters:
    ///   - rows: the `U` of the forward, `batch x count x dimension`.
    ///   - dimension: `d >= 1`.
    ///   - gradient: `H`, `batch x count x dimension`, in column order.
    /// - Returns: `scores`, `batch x count`, and `rows`, laid out as `U`.
    /// - Throws: `SoftSortError.invalidDimension` or `.sizeMismatch`.
    /// - Complexity: O(B n d) time and memory.
    public func backwardOfApplyTransposed(
        to rows: [T], dimension: Int = 1, gradient: [T]
    ) throws(SoftSortError) -> (scores: [T], rows: [T]) {
        try ExactValidation.matrix("rows", rows.count, rows: batch * count, dimension: dimension)
        try ExactValidation.matrix("gradient", gradient.count, rows: batch * count, dimension: dimension)
        let result = operations.applyBackward(state, gradient, dimension, rows, true)
        return (result.scores, result.product)
    }

    /// The relaxed ranks `P^T r`, `r = (1, 2, ..., n)`: entry `j` of row `b` is
    /// close to the rank of score `j` (1 = largest, descending).
    ///
    /// - Returns: `batch x count`, in the scores' column order.
    /// - Complexity: O(B n).
    public func ranks() -> [T] {
        operations.applyTransposed(state, rankRows, 1)
    }

    /// The vector-Jacobian product of `ranks()`: `dL/ds` given `dL/d(P^T r)`.
    ///
    /// - Parameter gradient: `dL/d(ranks)`, `batch x count`, column order.
    /// - Returns: `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong size.
    /// - Complexity: O(B n).
    public func backwardOfRanks(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count)
        return operations.applyBackward(state, gradient, 1, rankRows, false).scores
    }

    private var rankRows: [T] {
        let n = count
        return (0..<batch * n).map { T($0 % n + 1) }
    }

    // MARK: Losses

    /// The paper's sorting loss, the cross-entropy against target
    /// permutations, with its gradient:
    ///
    ///     loss = -sum_(b, i) log P[b, i, t[b, i]]
    ///     log P[i, t_i] = -|x_i - s_(t_i)| / tau - log Z_i   (computed directly)
    ///
    /// `t[b, i]` is the column row `i` should pick (a permutation, or any
    /// columns). The loss is summed in `Double` and rounded to `T` once; it is
    /// `+infinity` in `T` only when the true sum exceeds `T`'s range.
    ///
    /// - Parameter targets: `t`, `batch x count` columns in `0 ..< count`.
    /// - Returns: the loss and `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `targets` has the wrong
    ///   size, `.invalidDimension(argument: "targets", ...)` for a column out of range.
    /// - Complexity: O(B n).
    public func crossEntropy(targets: [Int]) throws(SoftSortError) -> (loss: T, gradient: [T]) {
        try Validation.size("targets", targets.count, expected: batch * count)
        if let bad = targets.first(where: { $0 < 0 || $0 >= count }) {
            throw .invalidDimension(argument: "targets", value: bad)
        }
        let result = operations.crossEntropy(state, targets)
        return (T(result.loss), result.gradient)
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
    /// - Throws: `SoftSortError.sizeMismatch`, or `.invalidDimension(argument: "k", ...)`.
    /// - Complexity: O(B n).
    public func nearestNeighborLoss(matches: [T], k: Int) throws(SoftSortError) -> (loss: T, gradient: [T]) {
        try Validation.size("matches", matches.count, expected: batch * count)
        guard k >= 1, k <= count else { throw .invalidDimension(argument: "k", value: k) }
        let n = count
        let weight = -1 / (T(batch) * T(k))
        var rowGradient = [T](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for i in 0..<k { rowGradient[b * n + i] = weight }
        }
        let result = operations.applyBackward(state, matches, 1, rowGradient, true)
        var loss = 0.0
        for (g, y) in zip(rowGradient, result.product) { loss += Double(g) * Double(y) }
        return (T(loss), result.scores)
    }

    // MARK: Top-k and quantiles

    /// Relaxed top-k: the first `k` rows of `P` applied to values.
    ///
    /// - Parameters:
    ///   - k: `0 ... count`.
    ///   - values: `V`, `batch x count x dimension`, column order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x k x dimension`: row `i < k` is close to the values of
    ///   the `i`-th largest score.
    /// - Throws: `SoftSortError.invalidDimension` or `.sizeMismatch`.
    /// - Complexity: O(B n d) (the normalizers need every column).
    public func topK(_ k: Int, of values: [T], dimension: Int = 1) throws(SoftSortError) -> [T] {
        guard k >= 0, k <= count else { throw .invalidDimension(argument: "k", value: k) }
        return selectRows(0..<k, of: try apply(to: values, dimension: dimension), dimension: dimension)
    }

    /// The vector-Jacobian product of `topK(_:of:dimension:)`.
    ///
    /// - Parameters:
    ///   - k: as in the forward.
    ///   - values: the forward's `V`.
    ///   - dimension: `d >= 1`.
    ///   - gradient: `dL/d(top k)`, `batch x k x dimension`.
    /// - Returns: `scores`, `batch x count`, and `values`, laid out as `V`.
    /// - Throws: `SoftSortError.invalidDimension` or `.sizeMismatch`.
    /// - Complexity: O(B n d).
    public func backwardOfTopK(
        _ k: Int, of values: [T], dimension: Int = 1, gradient: [T]
    ) throws(SoftSortError) -> (scores: [T], values: [T]) {
        guard k >= 0, k <= count else { throw .invalidDimension(argument: "k", value: k) }
        try ExactValidation.matrix("gradient", gradient.count, rows: batch * k, dimension: dimension)
        let full = expandRows(0..<k, gradient, dimension: dimension)
        return try backwardOfApply(to: values, dimension: dimension, gradient: full)
    }

    /// The relaxed quantile `q`: row `round(q (n - 1))` of `P` (ties of the
    /// rounding away from zero) applied to values. `q = 0` is the largest
    /// score's row (descending), `q = 1` the smallest's.
    ///
    /// - Parameters:
    ///   - q: the level, in `[0, 1]`.
    ///   - values: `V`, `batch x count x dimension`, column order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x dimension`.
    /// - Throws: `SoftSortError.invalidArgument(name: "q", ...)` for `q` outside
    ///   `[0, 1]`, `.invalidDimension` for `count == 0` or `d < 1`, `.sizeMismatch`.
    /// - Complexity: O(B n d).
    public func quantile(_ q: Double, of values: [T], dimension: Int = 1) throws(SoftSortError) -> [T] {
        let row = try quantileRow(q)
        return selectRows(row..<row + 1, of: try apply(to: values, dimension: dimension), dimension: dimension)
    }

    /// The vector-Jacobian product of `quantile(_:of:dimension:)`.
    ///
    /// - Parameters:
    ///   - q: as in the forward.
    ///   - values: the forward's `V`.
    ///   - dimension: `d >= 1`.
    ///   - gradient: `dL/d(quantile)`, `batch x dimension`.
    /// - Returns: `scores`, `batch x count`, and `values`, laid out as `V`.
    /// - Throws: as `quantile(_:of:dimension:)`.
    /// - Complexity: O(B n d).
    public func backwardOfQuantile(
        _ q: Double, of values: [T], dimension: Int = 1, gradient: [T]
    ) throws(SoftSortError) -> (scores: [T], values: [T]) {
        let row = try quantileRow(q)
        try ExactValidation.matrix("gradient", gradient.count, rows: batch, dimension: dimension)
        let full = expandRows(row..<row + 1, gradient, dimension: dimension)
        return try backwardOfApply(to: values, dimension: dimension, gradient: full)
    }

    private func quantileRow(_ q: Double) throws(SoftSortError) -> Int {
        guard q.isFinite, q >= 0, q <= 1 else { throw .invalidArgument(name: "q", value: q) }
        guard count >= 1 else { throw .invalidDimension(argument: "count", value: count) }
        return min(count - 1, Int((q * Double(count - 1)).rounded()))
    }

    /// Rows `rows` of every batch row of a `batch x count x d` array.
    private func selectRows(_ rows: Range<Int>, of full: [T], dimension d: Int) -> [T] {
        var result: [T] = []
        result.reserveCapacity(batch * rows.count * d)
        for b in 0..<batch {
            result += full[(b * count + rows.lowerBound) * d ..< (b * count + rows.upperBound) * d]
        }
        return result
    }

    /// A `batch x count x d` array with `part` (`batch x rows.count x d`) at `rows`, zero elsewhere.
    private func expandRows(_ rows: Range<Int>, _ part: [T], dimension d: Int) -> [T] {
        var full = [T](repeating: 0, count: batch * count * d)
        let width = rows.count * d
        for b in 0..<batch {
            let start = (b * count + rows.lowerBound) * d
            for e in 0..<width { full[start + e] = part[b * width + e] }
        }
        return full
    }
}
