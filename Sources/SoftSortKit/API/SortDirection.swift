/// Which end of the scores a relaxed permutation's first row picks.
public enum SortDirection: Sendable, Hashable {
    /// Row 0 is the largest score (the paper's order).
    case descending
    /// Row 0 is the smallest score.
    case ascending
}

/// What a forward pass returns as its matrices.
public enum OutputMode: Sendable, Hashable {
    /// The relaxed permutation matrices `P`.
    case soft
    /// Straight-through: the forward returns the exact permutation matrices
    /// (one-hot rows at the argsort), the backward differentiates the soft `P`.
    case straightThrough
}
