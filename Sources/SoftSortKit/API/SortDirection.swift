/// Which end of the scores a relaxed permutation's first row picks.
public enum SortDirection: Sendable, Hashable {
    /// Row 0 is the largest score (the paper's order).
    case descending
    /// Row 0 is the smallest score.
    case ascending
}
