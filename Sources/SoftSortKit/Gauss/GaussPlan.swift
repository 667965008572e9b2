#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The parameters of one row's 1-D Gauss transform and the error bound they
/// give, in units of the bandwidth `h = sqrt(tau)` (points `v = x / h`, kernel
/// `g(d) = exp(-d^2)`).
///
/// Sorted points are cut greedily into cells of extent below `width`; a
/// cell's sources are summarised by `order` Taylor moments about the cell's
/// midpoint, a cell's targets by a local Taylor polynomial of degree
/// `order - 1` about its midpoint. For a target `y = t + a` and a source
/// `x = c + b` (`|a|, |b| <= width / 2`, `D = t - c`), the translation is the
/// Taylor series of `g` about `D` in `delta = a - b`, truncated at total
/// degree `order`; its Lagrange remainder `g^(p)(xi) delta^p / p!` with
/// Cramer's inequality `|g^(k)(x)| = |H_k(x)| exp(-x^2) <= K sqrt(2^k k!)`,
/// `K = 1.086435`, bounds every kernel entry's error by
///
///     e0 = K (sqrt(2) width)^p / sqrt(p!)                     (sums of g)
///     e1 = (p / (2 width)) e0                       (sums of g(d) d, d = y - x)
///
/// (the first-moment sum is the derivative of the expansion, `-1/2 dG/dy`,
/// whose remainder is one degree lower). Pairs of cells farther apart than
/// `radius` are skipped: each dropped entry is below `exp(-r^2)` (and
/// `r exp(-r^2)` for the first moment). So for weights `q`:
///
///     |G_hat(y) - G(y)|  <= epsilon sum_j |q_j|,  epsilon = max(e0, exp(-r^2)),
///
/// and likewise with `max(e1, r exp(-r^2))` for the first moments (in units
/// of `h`). `make(accuracy:extent:)` picks the smallest `p` with both below
/// the accuracy (the first-moment bound scaled by the row's extent when that
/// is below one bandwidth, so wide kernels keep a relative accuracy).
struct GaussPlan: Sendable {
    /// Cells are narrower than this (in bandwidths).
    let width: Double
    /// Terms of every expansion (`p`).
    let order: Int
    /// Cell pairs farther apart than this (in bandwidths) are skipped.
    let radius: Double
    /// A cell with at least this many points is expanded; smaller ones are
    /// summed point by point.
    let expansionThreshold: Int

    /// The largest order `make` picks.
    static let maximumOrder = 40
    /// Cramer's constant.
    static let cramer = 1.086435

    /// The per-entry bounds `(e0, e1)` for `order` terms and cells of extent `width`.
    static func truncationBounds(order p: Int, width: Double) -> (value: Double, moment: Double) {
        var e0 = cramer
        for k in 1...max(p, 1) { e0 *= 2.0.squareRoot() * width / Double(k).squareRoot() }
        return (e0, Double(p) / (2 * width) * e0)
    }

    /// The smallest order (at most `maximumOrder`) whose `truncationBounds`
    /// for cells of `width` are within `value` and `moment`: the bound's
    /// product grown one factor per order (the same multiplications in the
    /// same order, so the same bits), not recomputed from its first factor.
    static func smallestOrder(width: Double, value epsilon: Double, moment target: Double) -> Int {
        let factor = 2.0.squareRoot() * width
        var order = 1, e0 = cramer * (factor / Double(1).squareRoot())
        while order < maximumOrder {
            if e0 <= epsilon && Double(order) / (2 * width) * e0 <= target { break }
            order += 1
            e0 *= factor / Double(order).squareRoot()
        }
        return order
    }

    /// The plan for `accuracy` (the bound's `epsilon`) on a row of `count`
    /// points whose sorted points span `extent` bandwidths: of the cell widths
    /// 1/2, 1/4, 1/8, 1/16 (or the extent, when smaller), the one with the
    /// lowest estimated cost for uniformly spread points, 4 n p per-point work
    /// plus p^2 / 2 per pair of expanded cells (or n x neighbours direct
    /// exponentials where cells would be too thin to expand).
    static func make(accuracy: Double, extent: Double, count n: Int = 1 << 20) -> GaussPlan {
        let epsilon = min(max(accuracy, 1e-16), 1e-2)
        // r with r exp(-r^2) <= epsilon (which also gives exp(-r^2) <= epsilon for r >= 1).
        var radius = (-log(epsilon)).squareRoot()
        for _ in 0..<4 { radius = (-log(epsilon) + log(max(radius, 1)) + 0x1p-6).squareRoot() }
        let span = max(extent, 1e-6), count = Double(max(n, 1))
        let momentTarget = epsilon * min(1, span / 0.5)
        var best = GaussPlan(width: 0.5, order: maximumOrder, radius: radius, expansionThreshold: maximumOrder)
        var bestCost = Double.infinity
        for candidate in [0.5, 0.25, 0.125, 0.0625] {
            let width = min(candidate, span)
            let order = smallestOrder(width: width, value: epsilon, moment: momentTarget)
            let p = Double(order), threshold = max(4, order / 2)
            let cells = min(count, span / width + 1), perCell = count / cells
            let pairs = min(cells, 2 * radius / width + 3)
            let cost = perCell >= Double(threshold)
                ? 4 * count * p + cells * pairs * p * p / 2
                : 6 * count * min(count, perCell * pairs)
            if cost < bestCost {
                bestCost = cost
                best = GaussPlan(width: width, order: order, radius: radius, expansionThreshold: threshold)
            }
            if span <= candidate { break }
        }
        return best
    }

    /// The bound's `epsilon` for sums of `g` and for sums of `g(d) d` this plan gives.
    var bound: (value: Double, moment: Double) {
        let (e0, e1) = Self.truncationBounds(order: order, width: width)
        let tail = exp(-radius * radius)
        return (max(e0, tail), max(e1, radius * tail))
    }
}
