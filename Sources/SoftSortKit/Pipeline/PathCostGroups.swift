/// The cost table's entries grouped by what a lookup matches on (output,
/// `p` class, element type), so that `PathCosts.cheapest` reads the few
/// entries of its group (one per measured batch size) rather than scanning
/// every entry of the table at every call.
struct PathCostGroups: Sendable {
    /// The table's indices, group after group, each group in table order
    /// (so the nearest batch size is found as a scan of the table finds it).
    let indices: [Int]
    /// Group `k` is `indices[starts[k] ..< starts[k + 1]]`.
    let starts: [Int]

    init(_ table: [PathCosts.Entry]) {
        let keys = table.map { Self.key($0.output, $0.power, $0.element) }
        var indices: [Int] = [], starts: [Int] = []
        for key in 0..<Self.keyCount {
            starts.append(indices.count)
            indices += keys.indices.filter { keys[$0] == key }
        }
        starts.append(indices.count)
        self.indices = indices
        self.starts = starts
    }

    static let keyCount = OutputKind.allCases.count * 3 * 2

    /// The group of an output, `p` class and element type, `0 ..< keyCount`.
    static func key(_ output: OutputKind, _ power: PathCosts.PowerClass, _ element: PathCosts.Element) -> Int {
        let outputIndex = OutputKind.allCases.firstIndex(of: output)!
        let powerIndex = switch power { case .one: 0; case .two: 1; case .other: 2 }
        return (outputIndex * 3 + powerIndex) * 2 + (element == .float ? 0 : 1)
    }

    /// Runs `body` with the table indices of one group.
    @inline(__always)
    func withGroup<R>(
        _ output: OutputKind, _ power: PathCosts.PowerClass, _ element: PathCosts.Element,
        _ body: (UnsafeBufferPointer<Int>) -> R
    ) -> R {
        let key = Self.key(output, power, element)
        return indices.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[starts[key] ..< starts[key + 1]]))
        }
    }
}

extension PathCosts {
    /// `table` grouped for the lookup (built once, with the table).
    static let groups = PathCostGroups(table)
}
