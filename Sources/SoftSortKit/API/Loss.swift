/// A loss on the relaxed permutations and its gradient with respect to the
/// scores: `RelaxedPermutation.crossEntropy(targets:)` and
/// `nearestNeighborLoss(matches:k:)`.
public struct Loss<T: SoftSortScalar>: Sendable {
    /// The loss, summed in `Double` and rounded to `T` once.
    public let value: T
    /// `dL/ds`, `batch x count`, for an upstream gradient of 1. When the
    /// forward was given a `Workspace`, this array may share the workspace's
    /// storage until its next call.
    public let gradient: [T]
    /// The path that ran (never `.automatic`).
    public let path: SoftSortPath
    /// The backend whose kernels ran.
    public let backend: Backend
}
