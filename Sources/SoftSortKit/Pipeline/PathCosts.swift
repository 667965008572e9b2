/// The cost model `.automatic` chooses paths by: for each path, output, power
/// class and element type, the time of one row of length `n` as
///
///     t(n) = c0 + c1 n + c2 n log2(n) + c3 n^2      (nanoseconds)
///
/// fitted to times measured on a grid by `simd-bench paths`, which prints
/// this table anew (`simd-bench paths --emit-table`). A call of `B` rows on
/// `threads` threads costs `t(n) ceil(B / threads)` for every path (each
/// spreads its rows over the threads the same way), so the rows decide.
enum PathCosts {
    enum Element: String, Sendable { case float, double }

    /// `p = 1`, `p = 2` or any other `p`: the paths' kernels differ by class.
    enum PowerClass: String, Sendable {
        case one, two, other

        init(_ power: DistancePower) {
            switch power {
            case .one: self = .one
            case .two: self = .two
            case .general: self = .other
            }
        }
    }

    /// One fitted row of the table.
    struct Entry: Sendable {
        let path: SoftSortPath
        let output: OutputKind
        let power: PowerClass
        let element: Element
        /// `c0 ... c3` of `t(n)`, nanoseconds.
        let coefficients: (Double, Double, Double, Double)

        func rowTime(count n: Int) -> Double {
            let x = Double(max(n, 1))
            return coefficients.0 + coefficients.1 * x + coefficients.2 * x * Double.libmLog(x) / Double.libmLog(2) + coefficients.3 * x * x
        }
    }

    /// The path of `candidates` with the least modelled time. A candidate the
    /// table has no row for counts as slowest; ties go to the earlier one.
    static func cheapest(
        among candidates: [SoftSortPath], output: OutputKind, power: DistancePower, batch: Int, count: Int,
        element: Element, threads: Int
    ) -> SoftSortPath {
        let powerClass = PowerClass(power)
        var best = candidates[0], bestTime = Double.infinity
        for path in candidates {
            guard let entry = entry(path, output, powerClass, element) else { continue }
            let time = entry.rowTime(count: count)
            if time < bestTime {
                best = path
                bestTime = time
            }
        }
        return best
    }

    static func entry(_ path: SoftSortPath, _ output: OutputKind, _ power: PowerClass, _ element: Element) -> Entry? {
        table.first { $0.path == path && $0.output == output && $0.power == power && $0.element == element }
    }

    /// The measured table (`simd-bench paths --emit-table`).
    static let table: [Entry] = []
}
