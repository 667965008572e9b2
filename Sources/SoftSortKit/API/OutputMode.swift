/// What a dense forward returns as its matrices.
public enum OutputMode: Sendable, Hashable {
    /// The relaxed permutation matrices `P`.
    case soft
    /// Straight-through: the forward returns the exact permutation matrices
    /// (one-hot rows at the argsort), the backward differentiates the soft `P`.
    case straightThrough
}
