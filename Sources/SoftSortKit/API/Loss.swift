/// A fused loss and its gradient, computed in one pass without the `n x n`
/// matrix (the exact path's cross-entropy and kNN loss).
public struct Loss<T: SoftSortScalar>: Sendable {
    /// The loss, summed in `Double` and rounded to `T` once.
    public let value: T
    /// `dL/ds`, `batch x count`, for an upstream gradient of 1.
    public let gradient: [T]
}
