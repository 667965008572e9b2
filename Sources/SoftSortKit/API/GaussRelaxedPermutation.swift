/// The result of `GaussSoftSort.forward`: the `p = 2` relaxed permutations of
/// a batch, held implicitly (`O(B n)` memory), with every output a training
/// step applies to them; each output carries its own `backward(_:)`.
///
/// Notation: `P` is `SoftSort(temperature:power: 2)`'s matrix of batch row
/// `b`, rows in sorted order (row 0 = largest score, descending), columns in
/// the scores' own order. Values `V` are `batch x count x d` in column order.
/// Outputs and gradients are the dense ones within the transforms' bound
/// (<doc:GaussTransform>), computed in `Double` and rounded to `T` once.
/// Every operation spreads its batch rows over the forward's `threads`, with
/// bitwise identical results for every thread count.
public struct GaussRelaxedPermutation<T: SoftSortScalar>: Sendable {
    let state: GaussState<T>

    init(state: GaussState<T>) {
        self.state = state
    }

    /// The number of score rows `B`.
    public var batch: Int { state.shape.batch }
    /// The length `n` of each score row.
    public var count: Int { state.shape.count }
    /// The number of threads the forward ran on (and every operation will).
    public var threads: Int { state.scheduler.threads }
    /// The transforms' bound `epsilon` the forward ran with.
    public var accuracy: Double { state.accuracy }
    /// `batch x count` hard permutations: `permutation[b * count + i]` is the
    /// column of the `i`-th largest score of row `b` (smallest, ascending),
    /// ties broken by index.
    public var permutation: [Int] { state.permutation }

    /// `log Z_i` for every row of every `P`, `batch x count` (rows sorted):
    /// `Z_i = sum_j exp(-(x_i - s_j)^2 / tau) >= 1`, so every entry is finite
    /// and `log P[i, j] = -(x_i - s_j)^2 / tau - log Z_i`.
    ///
    /// - Complexity: O(B n).
    public var logNormalizers: [T] { T.kernelSet.gaussOutputs.logNormalizers(state) }

    /// `P V` for every batch row: `Y[b, i, :] = sum_j P[b, i, j] V[b, j, :]`.
    ///
    /// - Parameters:
    ///   - values: `V`, `batch x count x dimension`, in the scores' column order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x count x dimension`, rows in sorted order, and its
    ///   backward (to the scores and to `V`).
    /// - Throws: `SoftSortError.invalidDimension` for `d < 1`, `.sizeMismatch`,
    ///   `.nonFiniteInput`.
    /// - Complexity: O(B n d) time and memory (`d` transforms forward, `d + 1` backward).
    public func apply(to values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try Validation.matrix("values", values, shape: state.shape, dimension: dimension)
        let result = T.kernelSet.gaussOutputs.apply(state, values, dimension)
        return RelaxedProduct(values: result.output, rows: count, source: .gauss(result.product), scale: .identity)
    }

    /// The relaxed sorted values `P s`, `batch x count`: entry `i` of row `b`
    /// is close to the `i`-th largest score (smallest, ascending).
    ///
    /// - Returns: the values and their backward through both `P` and `s`.
    /// - Complexity: O(B n); the backward three transforms per row.
    public func sortedValues() -> RelaxedValues<T> {
        RelaxedValues(
            values: T.kernelSet.gaussOutputs.sortedValues(state), batch: batch, count: count,
            source: .gaussSortedValues(state), gradientScale: .identity)
    }

    /// The relaxed ranks `P^T r`, `r = (1, 2, ..., n)`: entry `j` of row `b` is
    /// close to the rank of score `j` (1 = largest, descending).
    ///
    /// - Returns: `batch x count` ranks, in the scores' column order, and their backward.
    /// - Complexity: O(B n); the backward three transforms per row.
    public func ranks() -> RelaxedValues<T> {
        RelaxedValues(
            values: T.kernelSet.gaussOutputs.ranks(state), batch: batch, count: count, source: .gaussRanks(state),
            gradientScale: .identity)
    }

    /// The paper's sorting loss, the cross-entropy against target
    /// permutations, with its gradient (`SoftSort.crossEntropy` with `path:
    /// .gauss` on the forward's scores):
    ///
    ///     loss = -sum_(b, i) log P[b, i, t[b, i]]
    ///          =  sum_(b, i) (x_i - s_(t_i))^2 / tau + log Z_i
    ///
    /// - Parameters:
    ///   - targets: `t`, `batch x count` columns in `0 ..< count`.
    ///   - workspace: buffers to reuse across calls (a loop's calls then
    ///     allocate nothing, see `LossWorkspace` for the sharing rule), or
    ///     `nil` for fresh ones.
    /// - Returns: the loss (summed in `Double`, rounded to `T` once) and `dL/ds`.
    /// - Throws: `SoftSortError.sizeMismatch` when `targets` has the wrong
    ///   size, `.indexOutOfRange` for a column outside `0 ..< count`.
    /// - Complexity: O(B n) after the sort (it sorts again).
    public func crossEntropy(targets: [Int], workspace: LossWorkspace<T>? = nil) throws(SoftSortError) -> Loss<T> {
        try Validation.targets(targets, shape: state.shape)
        return T.kernelSet.gaussOutputs.crossEntropy(state, targets, workspace)
    }
}
