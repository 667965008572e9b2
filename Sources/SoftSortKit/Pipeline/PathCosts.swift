/// The cost model `.automatic` chooses paths by: for each path, output, power
/// class and element type, the time of a forward, the output and its
/// backward on `B` rows of length `n` over `threads` threads as
///
///     t(B, n) = c0 + ceil(B / threads) (c1 + c2 n + c3 n log2 n + c4 n^2)   (nanoseconds)
///
/// fitted to times measured on a grid by `simd-bench paths`, which also
/// writes the table (`PathCostTable.swift`) anew:
/// `simd-bench paths --emit-table Sources/SoftSortKit/Pipeline/PathCostTable.swift`,
/// then a rebuild and `simd-bench paths` again to see each cell's best path,
/// chosen path and their ratio.
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
        /// `c0 ... c4` of `t(B, n)`, nanoseconds.
        let coefficients: [Double]

        func time(batch: Int, count: Int, threads: Int) -> Double {
            let rows = Double((batch + threads - 1) / max(threads, 1)), n = Double(max(count, 1))
            let perRow = coefficients[1] + coefficients[2] * n + coefficients[3] * n * Double.libmLog(n) / Double.libmLog(2)
                + coefficients[4] * n * n
            return coefficients[0] + rows * perRow
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
            let time = entry.time(batch: batch, count: count, threads: threads)
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
}
