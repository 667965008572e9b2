/// Which computation produces an output of a `RelaxedPermutation`.
///
/// Every path computes the same `P` (the window to its stated tolerance, the
/// Gauss transform within its bound); they differ in time, memory and in the
/// outputs they cover (<doc:SoftSortKit>, "Outputs and paths"). A path that
/// cannot compute an output throws `SoftSortError.unsupportedPath` naming one
/// that can.
public enum SoftSortPath: Sendable, Hashable, CustomStringConvertible {
    /// Chooses, for each output, the fastest path that computes it exactly,
    /// from the output, `B`, `n`, `p`, the element type and the thread count
    /// (`PathCosts`, measured by `simd-bench paths`). Never the window.
    case automatic
    /// Through the materialised `B x n x n` matrices `P`: O(B n^2) time and memory.
    case dense
    /// One row of `P` at a time in a buffer private to the thread, never
    /// stored: O(B n^2) time, O(B n) memory.
    case fused
    /// The exact scans of SoftSort with `p = 1` (<doc:ExactScan>): O(B n log n)
    /// time, O(B n) memory.
    case exact
    /// The fast Gauss transform of SoftSort with `p = 2` (<doc:GaussTransform>):
    /// O(B n) after an O(B n) radix sort, in `Double`, within `1e-13` per
    /// unit weight of the exact sums.
    case gauss
    /// The sparse rows of `P` inside a window (<doc:Windowed>): O(B n w).
    case window(Window)

    /// Which entries of a row of `P` the window path keeps.
    public enum Window: Sendable, Hashable {
        /// The `w` sorted neighbours on each side of the row's own rank.
        case ranks(Int)
        /// Every entry whose unnormalised weight is at least `tolerance` times
        /// the row's largest (`0 < tolerance < 1`).
        case tolerance(Double)
    }

    /// The path's name as the C ABI, Python and messages spell it.
    public var description: String {
        switch self {
        case .automatic: return "automatic"
        case .dense: return "dense"
        case .fused: return "fused"
        case .exact: return "exact"
        case .gauss: return "gauss"
        case .window(.ranks(let w)): return "window(ranks: \(w))"
        case .window(.tolerance(let t)): return "window(tolerance: \(t))"
        }
    }
}
