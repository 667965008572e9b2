/// A loss on the relaxed permutations and its gradient with respect to the
/// scores, as the cross-entropy and kNN losses of `SoftSort`, `NeuralSort`
/// and `ExactRelaxedPermutation` return it.
public struct Loss<T: SoftSortScalar>: Sendable {
    /// The loss, summed in `Double` and rounded to `T` once.
    public let value: T
    /// `dL/ds`, `batch x count`, for an upstream gradient of 1. When the
    /// call was given a `LossWorkspace`, this array shares the workspace's
    /// storage until its next call.
    public let gradient: [T]
    /// The path that ran (never `.automatic`).
    public let path: LossPath
    /// The backend whose kernels ran.
    public let backend: Backend
}
