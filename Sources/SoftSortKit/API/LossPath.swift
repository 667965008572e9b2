/// Which computation a loss on the relaxed permutation `P` runs.
///
/// Every path computes the same loss (a sum over all `B n` rows for the
/// cross-entropy) to rounding; they differ in time and memory.
public enum LossPath: String, Sendable, Hashable, CaseIterable {
    /// The operator chooses: SoftSort with `p == 1` runs `.exact`, the
    /// cross-entropy with `p == 2` runs `.gauss`, any other `p` (and the kNN
    /// loss with `p == 2`) runs `.fused`; NeuralSort runs `.fused`.
    case automatic
    /// Through the materialised `B x n x n` matrices `P` (the dense forward):
    /// a reference, `O(B n^2)` memory.
    case dense
    /// One row of `P` at a time in a buffer private to the thread, one `exp`
    /// per entry for the loss and its gradient together, `O(B n)` memory.
    case fused
    /// The exact `O(n log n)` scans of `ExactSoftSort`: SoftSort with `p == 1` only.
    case exact
    /// The fast Gauss transform on the sorted scores (<doc:GaussTransform>):
    /// SoftSort with `p == 2`, the cross-entropy only; `O(B n)` time after
    /// the sort, `Double` inside, within `1e-13` per unit weight of the
    /// exact sums.
    case gauss
}
