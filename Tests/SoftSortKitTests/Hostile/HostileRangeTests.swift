import Testing
@testable import SoftSortKit

/// The rule for results beyond the element type's range, on every path:
/// finite input gives finite results, except a loss or gradient whose true
/// value exceeds `T.greatestFiniteMagnitude`, which is `+-infinity`; never NaN.
@Suite("Hostile inputs: results beyond the type's range")
struct HostileRangeTests {
    /// The paths that compute the cross-entropy, with the operator each needs.
    static func lossPaths(power p: Double) -> [(String, any RelaxedSortOperator, SoftSortPath)] {
        var paths: [(String, any RelaxedSortOperator, SoftSortPath)] = [
            ("dense", SoftSort(power: p), .dense), ("fused", SoftSort(power: p), .fused),
        ]
        if p == 1 { paths.append(("exact", SoftSort(power: 1), .exact)) }
        if p == 2 { paths.append(("gauss", SoftSort(power: 2), .gauss)) }
        return paths
    }

    /// Row 0 (centre: the largest score) picking the most negative one: the
    /// true loss is about `2 max|s| / tau`, beyond the type's range; every
    /// path gives `+infinity` and a gradient without NaN.
    @Test("a cross-entropy beyond the type's range is +infinity on every path, Float and Double", arguments: [1.0, 2])
    func lossBeyondRange(power: Double) throws {
        try beyond(Float.greatestFiniteMagnitude * 0.9, power: power)
        try beyond(Double.greatestFiniteMagnitude * 0.9, power: power)
    }

    func beyond<T: SoftSortScalar>(_ top: T, power: Double) throws {
        let scores: [T] = [top, -top, 1, 0]
        for (name, op, path) in Self.lossPaths(power: power) {
            let loss = try op.forward(scores: scores, batch: 1, count: 4, path: path, workspace: nil as Workspace<T>?).crossEntropy(targets: [1, 0, 2, 3])
            #expect(loss.value == .infinity, "\(T.self) p = \(power) \(name): \(loss.value)")
            #expect(!loss.gradient.contains { $0.isNaN }, "\(T.self) p = \(power) \(name): \(loss.gradient)")
        }
        // The same rows picking their own columns: a finite loss on every path.
        for (name, op, path) in Self.lossPaths(power: power) {
            let result = try op.forward(scores: scores, batch: 1, count: 4, path: path, workspace: nil as Workspace<T>?)
            let loss = try result.crossEntropy(targets: result.permutation)
            #expect(loss.value.isFinite && loss.gradient.allSatisfy(\.isFinite), "\(T.self) p = \(power) \(name) own: \(loss)")
        }
    }

    /// NeuralSort at the least normal temperature on tied scores: `dL/ds` is
    /// about `n / tau`, beyond the type's range; both paths agree, no NaN.
    @Test("NeuralSort cross-entropy at tau = leastNormalMagnitude, all-equal scores: both paths agree, no NaN")
    func neuralSortLeastTemperature() throws {
        try neural(Float.self)
        try neural(Double.self)
    }

    func neural<T: SoftSortScalar>(_: T.Type) throws {
        let tau = Double(T.leastNormalMagnitude)
        let scores = [T](repeating: 0.5, count: 6)
        var gradients: [[T]] = []
        for path in [SoftSortPath.dense, .fused] {
            let loss = try NeuralSort(temperature: tau).forward(scores: scores, batch: 1, count: 6, path: path)
                .crossEntropy(targets: [0, 1, 2, 3, 4, 5])
            #expect(!loss.value.isNaN && !loss.gradient.contains { $0.isNaN }, "\(T.self) \(path): \(loss)")
            gradients.append(loss.gradient)
        }
        #expect(zip(gradients[0], gradients[1]).allSatisfy { $0.isFinite == $1.isFinite && ($0.sign == $1.sign || $0 == 0 || $1 == 0) })
    }

    /// Rows that hold the type's largest magnitude several times beside small
    /// scores (the API fuzzer's input): the sorted values are finite and within
    /// each row's smallest and largest score, on every path that computes them.
    @Test("sorted values of rows at greatestFiniteMagnitude stay finite and within the row, every path")
    func sortedValuesAtTheLargest() throws {
        try sortedAtLargest(Float.self)
        try sortedAtLargest(Double.self)
    }

    func sortedAtLargest<T: SoftSortScalar>(_: T.Type) throws {
        let big = -T.greatestFiniteMagnitude
        let scores: [T] = [4.25, -3.8125, 2.875, -3.8125, -1.6875, 0.8125, 3, 2.0625, -5, -3.625, 1.9375, 1.6875,
                           -5, 0, 2.625, big, big, big, big, big, -4.75, -5, T.leastNonzeroMagnitude, -5]
        let cases: [(String, any RelaxedSortOperator, SoftSortPath)] = [
            ("neuralsort automatic", NeuralSort(temperature: 10), .automatic),
            ("neuralsort dense", NeuralSort(temperature: 10), .dense),
            ("softsort p=1 exact", SoftSort(temperature: 10, power: 1), .exact),
            ("softsort p=1 dense", SoftSort(temperature: 10, power: 1), .dense),
            ("softsort p=2 gauss", SoftSort(temperature: 10, power: 2), .gauss),
            ("softsort p=2 fused", SoftSort(temperature: 10, power: 2), .fused),
        ]
        for (name, op, path) in cases {
            let values = try op.forward(scores: scores, batch: 2, count: 12, path: path, workspace: nil as Workspace<T>?)
                .sortedValues().values
            for row in 0..<2 {
                let slice = scores[row * 12 ..< row * 12 + 12]
                for v in values[row * 12 ..< row * 12 + 12] {
                    #expect(v.isFinite && v >= slice.min()! && v <= slice.max()!, "\(T.self) \(name) row \(row): \(v)")
                }
            }
        }
    }

    /// `P V` and its backward with values and scores near the type's largest:
    /// the values are finite and the gradients free of NaN on every path.
    @Test("apply(to:) with values and scores near greatestFiniteMagnitude: finite values, no NaN gradient")
    func hugeValues() throws {
        try huge(Float(3e38))
        try huge(Double(1.7e308))
    }

    func huge<T: SoftSortScalar>(_ top: T) throws {
        let scores: [T] = [top, -top, top / 2, 0, -top / 3, 1]
        let values: [T] = [-top, top, 0, top / 2, 1, -top / 4]
        for (name, op, path) in Self.lossPaths(power: 1) + Self.lossPaths(power: 2) + [
            ("window", SoftSort(), .window(.ranks(2))), ("NeuralSort dense", NeuralSort(), .dense),
        ] as [(String, any RelaxedSortOperator, SoftSortPath)] {
            let product = try op.forward(scores: scores, batch: 1, count: 6, path: path, workspace: nil as Workspace<T>?).apply(to: values)
            let gradient = try product.backward([1, -1, 0.5, 0, 1, -0.25])
            #expect(!product.values.contains { $0.isNaN }, "\(T.self) \(name): \(product.values)")
            #expect(!gradient.scores.contains { $0.isNaN }, "\(T.self) \(name): \(gradient.scores)")
            #expect(!gradient.values.contains { $0.isNaN }, "\(T.self) \(name): \(gradient.values)")
        }
    }

    /// A row holding the largest finite scores next to subnormal ones: the
    /// hard permutation is the stable argsort of the caller's scores.
    @Test("the permutation of +-greatestFiniteMagnitude next to subnormals is the stable argsort")
    func permutationWithSubnormals() throws {
        let tiny = Float.leastNonzeroMagnitude
        let s: [Float] = [.greatestFiniteMagnitude, 3 * tiny, -.greatestFiniteMagnitude, tiny, 0, -tiny, 2 * tiny, 1]
        // Descending, ties (none here) by index: computed apart from the library.
        let expected = (0..<8).sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
        for forward in Forward.all {
            let r = try forward(s, batch: 1, count: 8)
            if r.batch == 1 { #expect(r.permutation == expected, "\(forward.name)") }
        }
        #expect(try argsort(s, batch: 1, count: 8) == expected)
        // The dense path's straight-through matrices: one 1 per row, at the argsort's column.
        let hard = try SoftSort().forward(scores: s, batch: 1, count: 8, path: .dense).matrices(.straightThrough)
        let columns = (0..<8).map { i in (0..<8).first { hard.values[i * 8 + $0] == 1 } ?? -1 }
        #expect(columns == expected)
    }
}
