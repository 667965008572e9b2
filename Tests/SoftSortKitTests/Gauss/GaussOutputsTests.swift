import Foundation
import Testing
@testable import SoftSortKit

/// The `.gauss` path (the `p = 2` outputs on the fast Gauss transform) against
/// the dense `SoftSort(power: 2)` path in `Double`: `log Z`, `P V`, `P s`,
/// `P^T r` and the cross-entropy, each forward and backward (the dense
/// backward, no finite differences), at `tau = 1e-5 ... 1e5`, both
/// directions, `Float` and `Double`, sizes 1, 2, around the SIMD, radix and
/// cell edges and 1000, scores of tiny and huge spread; the same bits for
/// every thread count; the hostile inputs' typed errors.
@Suite("Gauss outputs p = 2")
struct GaussOutputsTests {
    /// The normwise relative errors of every output and gradient of one case.
    struct Errors: CustomStringConvertible {
        var values: [(String, Double)] = []
        var worst: Double { values.map(\.1).max() ?? 0 }
        mutating func add(_ name: String, _ error: Double) { values.append((name, error)) }
        var description: String { values.map { "\($0.0) \($0.1)" }.joined(separator: ", ") }
    }

    /// `log sum_j exp(-(c_i - s_j)^2 / tau)` per sorted row, directly.
    static func logNormalizers(_ scores: [Double], batch: Int, count n: Int, permutation: [Int], temperature tau: Double) -> [Double] {
        var out = [Double](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for i in 0..<n {
                let c = scores[b * n + permutation[b * n + i]]
                var z = 0.0
                for j in 0..<n {
                    let d = c - scores[b * n + j]
                    z += exp(-(d * d) / tau)
                }
                out[b * n + i] = log(z)
            }
        }
        return out
    }

    /// `max |got - expected|` over `max(max |expected|, floor)`: normwise
    /// relative, except where the true result is below `floor` (a gradient
    /// of nearly hard rows, made of entries like `exp(-100)`), where the
    /// transforms' absolute bound `epsilon sum |q|` is what holds.
    static func error<A: BinaryFloatingPoint>(_ got: [A], _ expected: [Double], floor: Double) -> Double {
        guard got.count == expected.count else { return .infinity }
        let difference = maxAbsDifference(got.map { Double($0) }, expected)
        return difference.isNaN ? .infinity : difference / max(maxAbs(expected), floor)
    }

    /// Every output of the gauss path in `T` against the dense path on the
    /// `T`-rounded scores in `Double`. Gradient floors: 1e-2 of the natural
    /// scale of each (`(2 / h) max|G| max|V|` for `P V`, `(2 / h) n max|G|`
    /// for the ranks, `max|G|` for `dL/dV` and `P s`).
    static func compare<T: SoftSortScalar>(
        _: T.Type, count n: Int, temperature tau: Double, spread: Double, offset: Double = 0,
        direction: SortDirection, batch: Int = 2, dimension d: Int = 2, accuracy: Double? = nil
    ) throws -> Errors {
        var g = TestRandom(seed: UInt64(n) &* 1009 &+ UInt64(tau.exponent + 100) &* 17 &+ UInt64(spread.exponent + 2000))
        let input = (0..<batch).flatMap { _ in g.distinct(n, spread: spread).map { T($0 - spread / 2 + offset) } }
        let scores = input.map { Double($0) }
        let values = (0..<batch * n * d).map { _ in T(g.uniform(-1, 1) + 3) }
        let upstream = (0..<batch * n * d).map { _ in T(g.uniform(-1, 1)) }
        let upstreamRows = (0..<batch * n).map { _ in T(g.uniform(-1, 1)) }
        let targets = (0..<batch * n).map { _ in Int(g.next() % UInt64(n)) }

        let gauss = try SoftSort(temperature: tau, power: 2, direction: direction, threads: 1, accuracy: accuracy)
            .forward(scores: input, batch: batch, count: n, path: .gauss)
        let dense = try SoftSort(temperature: tau, power: 2, direction: direction, threads: 1)
            .forward(scores: scores, batch: batch, count: n, path: .dense)
        let denseMatrices = try dense.matrices()
        let m = denseMatrices.values
        var errors = Errors()
        let h = tau.squareRoot(), gMax = maxAbs(upstream), rowMax = maxAbs(upstreamRows)
        #expect(gauss.permutation == dense.permutation)

        let logs = logNormalizers(scores, batch: batch, count: n, permutation: dense.permutation, temperature: tau)
        errors.add("logZ", maxAbsDifference(try gauss.logNormalizers().map { Double($0) }, logs) / max(1, maxAbs(logs)))

        // P V and its backward: dL/dP[i, j] = <G_i, V_j>, dL/dV = P^T G.
        let v = values.map { Double($0) }, gv = upstream.map { Double($0) }
        var y = [Double](repeating: 0, count: batch * n * d), dP = [Double](repeating: 0, count: batch * n * n)
        var dV = [Double](repeating: 0, count: batch * n * d)
        for b in 0..<batch {
            for i in 0..<n {
                for j in 0..<n {
                    let p = m[(b * n + i) * n + j]
                    for e in 0..<d {
                        y[(b * n + i) * d + e] += p * v[(b * n + j) * d + e]
                        dP[(b * n + i) * n + j] += gv[(b * n + i) * d + e] * v[(b * n + j) * d + e]
                        dV[(b * n + j) * d + e] += p * gv[(b * n + i) * d + e]
                    }
                }
            }
        }
        let product = try gauss.apply(to: values, dimension: d)
        errors.add("PV", relativeError(product.values, y))
        let productGradient = try product.backward(upstream)
        errors.add("PV ds", error(productGradient.scores, try denseMatrices.backward(dP), floor: 1e-2 * 2 / h * gMax * maxAbs(values)))
        errors.add("PV dV", error(productGradient.values, dV, floor: 1e-2 * gMax))

        // P s.
        let sorted = try gauss.sortedValues(), denseSorted = try dense.sortedValues()
        #expect(sorted.path == .gauss && denseSorted.path == .dense)
        errors.add("Ps", relativeError(sorted.values, denseSorted.values))
        errors.add("Ps ds", error(
            try sorted.backward(upstreamRows), try denseSorted.backward(upstreamRows.map { Double($0) }), floor: 1e-2 * rowMax))

        // P^T r and its backward: dL/dP[i, j] = (i + 1) G_j.
        var ranks = [Double](repeating: 0, count: batch * n), dR = [Double](repeating: 0, count: batch * n * n)
        for b in 0..<batch {
            for i in 0..<n {
                for j in 0..<n {
                    ranks[b * n + j] += m[(b * n + i) * n + j] * Double(i + 1)
                    dR[(b * n + i) * n + j] = Double(i + 1) * Double(upstreamRows[b * n + j])
                }
            }
        }
        let softRanks = try gauss.ranks()
        #expect(softRanks.path == .gauss)
        errors.add("ranks", relativeError(softRanks.values, ranks))
        errors.add("ranks ds", error(
            try softRanks.backward(upstreamRows), try denseMatrices.backward(dR), floor: 1e-2 * 2 / h * Double(n) * rowMax))

        // The loss: the same bits through a workspace's buffers.
        let loss = try gauss.crossEntropy(targets: targets)
        let path = try SoftSort(temperature: tau, power: 2, direction: direction, threads: 1, accuracy: accuracy)
            .forward(scores: input, batch: batch, count: n, path: .gauss, workspace: Workspace())
            .crossEntropy(targets: targets)
        #expect(loss.path == .gauss && loss.value == path.value && loss.gradient == path.gradient)
        return errors
    }

    /// The tolerance for `T`'s results: `Double` 1e-9, `Float` 1e-6 (its
    /// rounding, 6e-8 relative, plus the scores' own rounding in the loss).
    static func tolerance<T: SoftSortScalar>(_: T.Type) -> Double { T.self == Double.self ? 1e-9 : 1e-6 }

    static func check<T: SoftSortScalar>(
        _ type: T.Type, count n: Int, temperature tau: Double, spread: Double, offset: Double = 0,
        batch: Int = 2, dimension: Int = 2
    ) throws {
        for direction in [SortDirection.descending, .ascending] {
            let errors = try compare(
                type, count: n, temperature: tau, spread: spread, offset: offset, direction: direction, batch: batch,
                dimension: dimension)
            print("gauss-outputs worst \(T.self) n \(n) tau \(tau) spread \(spread) offset \(offset) \(direction): \(errors.worst)")
            #expect(errors.worst <= tolerance(type),
                    "\(T.self) n = \(n) tau = \(tau) spread = \(spread) offset = \(offset) \(direction): \(errors)")
        }
    }

    /// Both ends of the temperature range and between, at every size edge:
    /// 1, 2 (one pair), 7 ... 9 and 31 ... 33 (the `SIMD4` lanes of the
    /// expansions), 95 ... 97 (the radix sort's threshold).
    @Test(arguments: [1e-5, 1e-3, 0.1, 1, 10, 1e3, 1e5])
    func everySizeEdge(temperature tau: Double) throws {
        for n in [1, 2, 7, 8, 9, 31, 32, 33, 95, 96, 97] {
            for spread in [1e-3, 1, 1e3] {
                try Self.check(Double.self, count: n, temperature: tau, spread: spread)
                try Self.check(Float.self, count: n, temperature: tau, spread: spread)
            }
        }
    }

    /// n = 1000 (many cells; expansions on the wide kernels), B = 1.
    @Test(arguments: [1e-5, 1e-2, 1, 1e5])
    func thousandPoints(temperature tau: Double) throws {
        try Self.check(Double.self, count: 1000, temperature: tau, spread: 1, batch: 1, dimension: 1)
        try Self.check(Float.self, count: 1000, temperature: tau, spread: 1, batch: 1, dimension: 1)
    }

    /// Tiny and huge spreads and a large common offset: the brackets are
    /// first moments (no `c_i Z_i - sum K s` cancellation), the sorted values
    /// `c_m - sign h M1 / Z` (no cancellation against the offset).
    @Test func spreadsAndOffsets() throws {
        for (spread, offset) in [(1e-6, 0.0), (1e-3, 1e3), (1.0, 1e4), (1e5, 0.0), (1e6, 1e6)] {
            for tau in [1e-5, 1.0, 1e5] {
                try Self.check(Double.self, count: 64, temperature: tau, spread: spread, offset: offset)
            }
        }
        try Self.check(Float.self, count: 64, temperature: 0.01, spread: 1, offset: 100)
    }

    /// Every output and gradient has the same bits for 1, 2 and 7 threads
    /// (B n large enough that the scheduler really spreads the rows).
    @Test func sameBitsForEveryThreadCount() throws {
        let batch = 9, n = 600, d = 2
        var g = TestRandom(seed: 77)
        let scores = (0..<batch * n).map { _ in Float(g.uniform(-3, 3)) }
        let values = (0..<batch * n * d).map { _ in Float(g.uniform(-1, 1)) }
        let upstream = (0..<batch * n * d).map { _ in Float(g.uniform(-1, 1)) }
        let rows = Array(upstream.prefix(batch * n))
        let targets = (0..<batch * n).map { $0 % n }
        func outputs(_ threads: Int) throws -> [[Float]] {
            let result = try SoftSort(temperature: 0.05, power: 2, threads: threads)
                .forward(scores: scores, batch: batch, count: n, path: .gauss)
            #expect(result.threads == threads)
            let product = try result.apply(to: values, dimension: d), gradient = try product.backward(upstream)
            let sorted = try result.sortedValues(), ranks = try result.ranks(), loss = try result.crossEntropy(targets: targets)
            return [try result.logNormalizers(), product.values, gradient.scores, gradient.values, sorted.values,
                    try sorted.backward(rows), ranks.values, try ranks.backward(rows), [loss.value], loss.gradient]
        }
        let one = try outputs(1)
        for threads in [2, 7] {
            let other = try outputs(threads)
            for (a, b) in zip(one, other) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "threads \(threads)") }
        }
    }

    /// Finite scores of any magnitude give finite outputs and gradients:
    /// `Double` scores near `1e308` are rescaled exactly (`P(s / c, tau / c^2)`),
    /// and agree with the dense path, which rescales the same way.
    @Test func hugeScoresStayFinite() throws {
        let scores: [Double] = [1.5e308, -1.7e308, 1e308 + 1e293, 3, -2e307, 1.6e308]
        let n = scores.count
        for tau in [1e-5, 1.0, 1e300] {
            let gauss = try SoftSort(temperature: tau, power: 2).forward(scores: scores, batch: 1, count: n, path: .gauss)
            let dense = try SoftSort(temperature: tau, power: 2).forward(scores: scores, batch: 1, count: n, path: .dense)
            let sorted = try gauss.sortedValues(), ranks = try gauss.ranks()
            let product = try gauss.apply(to: [Double](repeating: 1, count: n))
            let upstream = (0..<n).map { Double($0) - 2 }
            let outputs = [try gauss.logNormalizers(), sorted.values, ranks.values, product.values,
                           try sorted.backward(upstream), try ranks.backward(upstream),
                           try product.backward(upstream).scores]
            for output in outputs {
                #expect(output.allSatisfy { $0.isFinite }, "tau \(tau): \(output)")
            }
            #expect(try relativeError(sorted.values, dense.sortedValues().values) <= 1e-12, "tau \(tau)")
        }
        let floats: [Float] = [3e38, -3.4e38, 1, 2e38]
        let result = try SoftSort(temperature: 1e-5, power: 2).forward(scores: floats, batch: 1, count: 4, path: .gauss)
        #expect(try result.sortedValues().values == [3e38, 2e38, 1, -3.4e38])
        let rankGradient = try result.ranks().backward([1, 2, 3, 4])
        #expect(rankGradient.allSatisfy { $0.isFinite })
    }

    /// Bad inputs throw the typed errors, naming the argument, row and column.
    @Test func hostileInputsThrowTypedErrors() throws {
        let op = SoftSort(temperature: 0.5, power: 2)
        #expect(throws: SoftSortError.invalidTemperature(0)) {
            try SoftSort(temperature: 0, power: 2).forward(scores: [1.0], batch: 1, count: 1, path: .gauss)
        }
        for bad in [0, 1e-17, 0.1, .infinity] {
            #expect(throws: SoftSortError.invalidArgument(name: "accuracy", value: bad)) {
                try SoftSort(power: 2, accuracy: bad).forward(scores: [1.0], batch: 1, count: 1, path: .gauss)
            }
        }
        #expect(throws: SoftSortError.self) {
            try SoftSort(power: 2, accuracy: .nan).forward(scores: [1.0], batch: 1, count: 1, path: .gauss)
        }
        #expect(throws: SoftSortError.nonFiniteScore(row: 1, column: 0)) {
            try op.forward(scores: [1, 2, .nan, 3], batch: 2, count: 2, path: .gauss)
        }
        #expect(throws: SoftSortError.invalidThreadCount(0)) {
            try SoftSort(power: 2, threads: 0).forward(scores: [1.0], batch: 1, count: 1, path: .gauss)
        }
        let result = try op.forward(scores: [0.5, -1, 2, 0.25], batch: 2, count: 2, path: .gauss)
        #expect(throws: SoftSortError.nonFiniteInput(argument: "values", row: 1, column: 3)) {
            try result.apply(to: [1, 2, 3, 4, 5, 6, 7, .infinity], dimension: 2)
        }
        #expect(throws: SoftSortError.invalidDimension(argument: "dimension", value: 0)) { try result.apply(to: [], dimension: 0) }
        #expect(throws: SoftSortError.sizeMismatch(argument: "values", expected: 4, actual: 3)) { try result.apply(to: [1, 2, 3]) }
        let product = try result.apply(to: [1, 2, 3, 4])
        #expect(throws: SoftSortError.nonFiniteInput(argument: "gradient", row: 0, column: 1)) {
            try product.backward([1, .nan, 0, 0])
        }
        #expect(throws: SoftSortError.nonFiniteInput(argument: "gradient", row: 1, column: 0)) {
            try result.ranks().backward([1, 1, -.infinity, 0])
        }
        #expect(throws: SoftSortError.sizeMismatch(argument: "gradient", expected: 4, actual: 5)) {
            try result.sortedValues().backward([1, 1, 1, 1, 1])
        }
        #expect(throws: SoftSortError.indexOutOfRange(argument: "targets", position: 2, value: 2, count: 2)) {
            try result.crossEntropy(targets: [0, 1, 2, 0])
        }
        // Empty batches and rows.
        let empty = try op.forward(scores: [Float](), batch: 0, count: 5, path: .gauss)
        #expect(try empty.sortedValues().values.isEmpty && empty.ranks().values.isEmpty && empty.logNormalizers().isEmpty)
        let zero = try op.forward(scores: [Double](), batch: 3, count: 0, path: .gauss)
        let zeroProduct = try zero.apply(to: [], dimension: 1), zeroLoss = try zero.crossEntropy(targets: [])
        #expect(zeroProduct.values.isEmpty && zeroLoss.value == 0)
    }
}
