/// The cost table `.automatic` chooses paths by: for each output, `p` class,
/// element type and measured batch size, the fastest exact path over row
/// lengths, as runs of `n`, from the times of a forward, the output and its
/// backward measured on a grid by `simd-bench paths`, which writes the table
/// (`PathCostTable.swift`) anew:
///
///     simd-bench paths --csv timings.csv --emit-table Sources/SoftSortKit/Pipeline/PathCostTable.swift
///
/// then a rebuild and `simd-bench paths` again print each cell's best path,
/// chosen path and their ratio (DocC, "Outputs and paths").
///
/// A call of `B` rows on `threads` threads looks up the measured batch size
/// nearest (in log scale) to `B * measuredThreads / threads`, since each path
/// spreads its rows over the threads the same way, then the run holding `n`
/// (a run ends halfway, in log scale, between the last grid length it won
/// and the next one).
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

    /// The fastest path for one output, `p` class, element type and batch
    /// size: `paths[k]` up to row length `upTo[k]` (the last run has no end).
    struct Entry: Sendable {
        let output: OutputKind
        let power: PowerClass
        let element: Element
        let batch: Int
        let upTo: [Int]
        let paths: [SoftSortPath]
        /// `log(batch)`, the distance's term of the entry: computed once
        /// with the table, not for each entry at each call.
        let logBatch: Double

        init(output: OutputKind, power: PowerClass, element: Element, batch: Int, upTo: [Int], paths: [SoftSortPath]) {
            self.output = output
            self.power = power
            self.element = element
            self.batch = batch
            self.upTo = upTo
            self.paths = paths
            logBatch = Double.libmLog(Double(batch))
        }

        func path(count n: Int) -> SoftSortPath {
            for (k, end) in upTo.enumerated() where n <= end { return paths[k] }
            return paths[paths.count - 1]
        }
    }

    /// The path of `candidates` the table has for the call, or the first
    /// candidate where it has none (a shape class it was not measured on).
    static func cheapest(
        among candidates: [SoftSortPath], output: OutputKind, power: DistancePower, batch: Int, count: Int,
        element: Element, threads: Int
    ) -> SoftSortPath {
        cheapest(
            where: { candidates.contains($0) }, fallback: candidates[0], output: output, power: power, batch: batch,
            count: count, element: element, threads: threads)
    }

    /// As `cheapest(among:...)`, the candidates given by a predicate: no
    /// array built, and the table read in place (each `Entry` copied would
    /// retain its two arrays), only the entries of the call's group
    /// (`PathCostGroups`), so a small call's choice costs tens of nanoseconds.
    @inline(__always)
    static func cheapest(
        where isCandidate: (SoftSortPath) -> Bool, fallback: SoftSortPath, output: OutputKind, power: DistancePower,
        batch: Int, count: Int, element: Element, threads: Int
    ) -> SoftSortPath {
        let powerClass = PowerClass(power)
        let rows = Double(max(batch, 1)) * Double(measuredThreads) / Double(max(threads, 1))
        let logRows = Double.libmLog(rows)
        return table.withUnsafeBufferPointer { entries in
            groups.withGroup(output, powerClass, element) { group in
                var nearest = -1, nearestDistance = Double.infinity
                for index in group {
                    let distance = abs(entries[index].logBatch - logRows)
                    if distance < nearestDistance {
                        nearest = index
                        nearestDistance = distance
                    }
                }
                guard nearest >= 0 else { return fallback }
                let path = entries[nearest].path(count: count)
                return isCandidate(path) ? path : fallback
            }
        }
    }
}
