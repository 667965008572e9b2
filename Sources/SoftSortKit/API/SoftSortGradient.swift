/// The gradient of a loss with respect to the inputs of an output that
/// applies a relaxed permutation to values: the scores and the values.
public struct SoftSortGradient<T: SoftSortScalar>: Sendable {
    /// `dL/ds`, `batch x count`.
    public let scores: [T]
    /// `dL/dV` (or `dL/dU` for `P^T U`), laid out as the values given to the forward.
    public let values: [T]

    /// Creates a gradient from its two parts.
    ///
    /// - Parameters:
    ///   - scores: `dL/ds`.
    ///   - values: `dL/dV`.
    /// - Complexity: O(1).
    public init(scores: [T], values: [T]) {
        self.scores = scores
        self.values = values
    }
}
