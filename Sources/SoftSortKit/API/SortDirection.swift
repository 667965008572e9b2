/// Which end of the scores a relaxed permutation's first row picks.
///
/// The Swift API defaults to `.descending`, the paper's order; the Python
/// package (`softsortkit.numpy`, `softsortkit.torch`) defaults to ascending,
/// as `torch.sort`, NumPy and torchsort (`descending=True` there is this case).
public enum SortDirection: Sendable, Hashable {
    /// Row 0 is the largest score (the paper's order).
    case descending
    /// Row 0 is the smallest score.
    case ascending
}
