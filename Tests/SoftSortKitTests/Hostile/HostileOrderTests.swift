import Testing
@testable import SoftSortKit

/// Rows holding `+-greatestFiniteMagnitude` next to subnormal scores. The
/// power-of-two rescaling that keeps huge scores from overflowing
/// (`ScoreScale`) turns the subnormals into ties with 0; every path must
/// still sort by the caller's scores: the hard permutations are the stable
/// argsort, and every output is the one of the caller's order.
@Suite("Hostile inputs: the sort order of huge scores next to subnormals")
struct HostileOrderTests {
    /// Batch row 0: the largest magnitudes, subnormals out of order, 0 and 1,
    /// then (`count > 8`) more subnormal multiples and ordinary values (a row
    /// of at least 96 scores takes the radix sort). Then the same row
    /// shuffled: 7 times for `count = 8` (a batch of 8 takes the short-row
    /// loss kernels and full SIMD lane blocks), once for longer rows.
    static func scores<T: SoftSortScalar>(_: T.Type, count n: Int, seed: UInt64 = 7) -> [T] {
        let tiny = T.leastNonzeroMagnitude, top = T.greatestFiniteMagnitude
        var random = TestRandom(seed: seed)
        var row: [T] = [top, 3 * tiny, -top, tiny, 0, -tiny, 2 * tiny, 1]
        while row.count < n {
            let k = Int(random.next() % 41) - 20
            row.append(random.next() % 4 == 0 ? T(random.uniform()) : T(k) * tiny)
        }
        var rows = row
        for _ in 0..<(n > 8 ? 1 : 7) {
            random.shuffle(&row)
            rows += row
        }
        return rows
    }

    /// The stable descending argsort of each row, written apart from the library.
    static func expectedOrder<T: SoftSortScalar>(_ s: [T], count n: Int) -> [Int] {
        stride(from: 0, to: s.count, by: n).flatMap { (start: Int) -> [Int] in
            let row = Array(s[start ..< start + n])
            return (0..<n).sorted { (i: Int, j: Int) -> Bool in row[i] > row[j] || (row[i] == row[j] && i < j) }
        }
    }

    /// The rows of `x` (`batch x count x d`, column order) permuted by
    /// `order`: row `j` of batch row `b` is row `order[b n + j]` of `x`.
    static func gathered<T>(_ x: [T], _ order: [Int], count n: Int, dimension d: Int) -> [T] {
        (0..<order.count).flatMap { r in
            let b = r / n, column = order[r]
            return x[(b * n + column) * d ..< (b * n + column + 1) * d]
        }
    }

    static let counts = [8, 130]

    @Test("hard permutations of every path are the stable argsort of the caller's scores", arguments: counts)
    func hardPermutations(count n: Int) throws {
        try hard(Float.self, count: n)
        try hard(Double.self, count: n)
    }

    func hard<T: SoftSortScalar>(_: T.Type, count n: Int) throws {
        let s = Self.scores(T.self, count: n), b = s.count / n
        let expected = Self.expectedOrder(s, count: n)
        let ops: [(String, any RelaxedSortOperator)] = [
            ("p = 1", SoftSort(power: 1)), ("p = 2", SoftSort(power: 2)), ("p = 1.5", SoftSort(power: 1.5)),
            ("NeuralSort", NeuralSort()),
        ]
        for (name, op) in ops {
            let result = try op.forward(scores: s, batch: b, count: n, path: .dense, workspace: nil as Workspace<T>?)
            #expect(result.permutation == expected, "\(T.self) \(name) permutation")
            let hard = try result.matrices(.straightThrough).values
            let columns = (0..<(b * n)).map { r in (0..<n).first { hard[r * n + $0] == 1 } ?? -1 }
            #expect(columns == expected, "\(T.self) n = \(n) \(name) straight-through")
            #expect(try result.plan.denseForward().state.permutation == expected, "\(T.self) n = \(n) \(name) dense sort")
        }
        for (power, path) in [(1.0, SoftSortPath.fused), (2, .fused), (1, .exact), (2, .gauss)] {
            let result = try SoftSort(power: power).forward(scores: s, batch: b, count: n, path: path)
            let values = [T](repeating: 1, count: s.count)
            let sorted: [Int] = switch path {
            case .exact: result.plan.exactState().permutation
            case .gauss: result.plan.gaussState().permutation
            default: try result.plan.fusedProduct(of: values, dimension: 1).permutation
            }
            #expect(sorted == expected, "\(T.self) n = \(n) p = \(power) \(path) sort")
        }
        for window in [SoftSortPath.Window.ranks(1), .ranks(3), .tolerance(1e-6)] {
            let rows = try SoftSort().forward(scores: s, batch: b, count: n, path: .window(window)).sparseRows()
            #expect(rows.permutation == expected, "\(T.self) n = \(n) window \(window)")
        }
    }

    /// One path's outputs and their backwards, each as a flat array with its
    /// layout: `scores` in column order (gradients), `rows` in sorted order,
    /// `entries` a `count x count` matrix per batch row (columns in column order).
    enum Layout { case scores, rows, values, entries }

    /// Every output `path` computes for `s` (values `v`, `d = 2`; targets
    /// `targets` in column indices), with fixed upstream gradients.
    static func outputs<T: SoftSortScalar>(
        _ op: any RelaxedSortOperator, path: SoftSortPath, _ s: [T], values v: [T], targets: [Int], count n: Int,
        upstream: (rows: [T], entries: [T])
    ) throws -> [(String, Layout, [T])] {
        let result = try op.forward(scores: s, batch: s.count / n, count: n, path: path, workspace: nil as Workspace<T>?)
        func covers(_ output: String) -> Bool { (try? result.path(for: output)) != nil }
        var out: [(String, Layout, [T])] = []
        let product = try result.apply(to: v, dimension: 2)
        let productGradient = try product.backward(upstream.rows)
        out += [("P V", .rows, product.values), ("P V dL/ds", .scores, productGradient.scores),
                ("P V dL/dV", .values, productGradient.values)]
        if covers("sortedValues") {
            let sorted = try result.sortedValues()
            out += [("P s", .rows, sorted.values),
                    ("P s dL/ds", .scores, try sorted.backward(Array(upstream.rows.prefix(s.count))))]
        }
        if covers("crossEntropy") {
            let loss = try result.crossEntropy(targets: targets)
            out += [("loss", .rows, [loss.value]), ("loss dL/ds", .scores, loss.gradient)]
        }
        if covers("matrices") {
            let matrices = try result.matrices()
            out += [("P", .entries, matrices.values), ("P dL/ds", .scores, try matrices.backward(upstream.entries))]
        }
        return out
    }

    /// Each path on the caller's rows, and on the same rows with their
    /// columns put in sorted order first (where the rescaled ties already
    /// stand in the caller's order): every output agrees once the columns
    /// are put back. Row outputs are in sorted order, so they agree as they are.
    @Test("every path's outputs and gradients are those of the caller's order", arguments: counts)
    func outputsFollowTheCallersOrder(count n: Int) throws {
        try equivariant(Float.self, count: n, tolerance: 1e-4)
        try equivariant(Double.self, count: n, tolerance: 1e-11)
    }

    func equivariant<T: SoftSortScalar>(_: T.Type, count n: Int, tolerance: T) throws {
        let s = Self.scores(T.self, count: n), m = s.count
        let order = Self.expectedOrder(s, count: n)
        let presorted = Self.gathered(s, order, count: n, dimension: 1)
        let v: [T] = EntryPoints.upstream(2 * m, seed: 5), vSorted = Self.gathered(v, order, count: n, dimension: 2)
        let upstream: (rows: [T], entries: [T]) = (EntryPoints.upstream(2 * m, seed: 6), EntryPoints.upstream(m * n, seed: 8))
        // Targets: row i picks the column of rank n - 1 - i (a tied row's
        // own column would hide where its centre's gradient lands).
        let reversed = (0..<m).map { n - 1 - $0 % n }
        let targets = (0..<m).map { order[$0 - $0 % n + reversed[$0]] }
        // dL/dP of the presorted rows: the caller's columns moved with them.
        let entriesSorted = (0..<(m * n)).map { e in upstream.entries[e - e % n + order[(e / n / n) * n + e % n]] }
        let cases: [(String, any RelaxedSortOperator, SoftSortPath)] = [
            ("p = 1 dense", SoftSort(power: 1), .dense), ("p = 1 fused", SoftSort(power: 1), .fused),
            ("p = 1 exact", SoftSort(power: 1), .exact), ("p = 1 window", SoftSort(power: 1), .window(.ranks(1))),
            ("p = 2 dense", SoftSort(power: 2), .dense), ("p = 2 fused", SoftSort(power: 2), .fused),
            ("p = 2 gauss", SoftSort(power: 2), .gauss), ("p = 2 window", SoftSort(power: 2), .window(.ranks(2))),
            ("p = 1.5 dense", SoftSort(power: 1.5), .dense), ("p = 1.5 fused", SoftSort(power: 1.5), .fused),
        ]
        for (name, op, path) in cases {
            let caller = try Self.outputs(op, path: path, s, values: v, targets: targets, count: n, upstream: upstream)
            let reference = try Self.outputs(
                op, path: path, presorted, values: vSorted, targets: reversed, count: n,
                upstream: (upstream.rows, entriesSorted))
            for ((label, layout, got), (_, _, want)) in zip(caller, reference) {
                let moved: [T] = switch layout {
                case .rows: got
                case .scores: Self.gathered(got, order, count: n, dimension: 1)
                case .values: Self.gathered(got, order, count: n, dimension: 2)
                case .entries: (0..<got.count).map { e in got[e - e % n + order[(e / n / n) * n + e % n]] }
                }
                let scale = max(1, want.reduce(T(0)) { $1.isFinite ? max($0, abs($1)) : $0 })
                let bad = zip(moved, want).enumerated().filter { _, pair in
                    pair.0 != pair.1 && !(abs(pair.0 - pair.1) <= tolerance * scale)
                }
                #expect(bad.isEmpty, "\(T.self) n = \(n) \(name) \(label): \(bad.prefix(4).map { "\($0.offset): \($0.element)" })")
            }
        }
    }
}
