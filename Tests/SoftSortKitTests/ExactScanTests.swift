import Foundation
import Testing
@testable import SoftSortKit

/// The exact O(n log n) `p = 1` path (`ExactSoftSort`) against the dense
/// `Double` reference (`Reference.softSort` + matrix products), the dense
/// library path, and central finite differences.
@Suite("Exact p = 1 scans")
struct ExactScanTests {
    // MARK: Helpers

    /// Batch rows of `n` tie-free scores in `[-spread/2, spread/2)`.
    static func scores(batch: Int, count: Int, seed: UInt64, spread: Double = 2) -> [Double] {
        var generator = TestRandom(seed: seed)
        return (0..<batch).flatMap { _ in generator.distinct(count, spread: spread).map { $0 - spread / 2 } }
    }

    /// The dense reference: `P` (B x n x n) and the products of the exact API.
    struct Dense {
        let p: [Double]
        let batch: Int, n: Int

        init(scores: [Double], batch: Int, count: Int, temperature: Double, direction: SortDirection) {
            p = Reference.softSort(
                scores: scores, batch: batch, count: count, temperature: temperature, power: 1, direction: direction)
            self.batch = batch
            n = count
        }

        /// `P V`, rows sorted.
        func apply(_ v: [Double], _ d: Int) -> [Double] {
            var y = [Double](repeating: 0, count: batch * n * d)
            for b in 0..<batch { for i in 0..<n { for j in 0..<n { for k in 0..<d {
                y[(b * n + i) * d + k] += p[(b * n + i) * n + j] * v[(b * n + j) * d + k]
            }}}}
            return y
        }

        /// `P^T U`, column order.
        func applyTransposed(_ u: [Double], _ d: Int) -> [Double] {
            var o = [Double](repeating: 0, count: batch * n * d)
            for b in 0..<batch { for i in 0..<n { for j in 0..<n { for k in 0..<d {
                o[(b * n + j) * d + k] += p[(b * n + i) * n + j] * u[(b * n + i) * d + k]
            }}}}
            return o
        }

        /// `dL/dP[i, j] = <G_i, V_j>` for `L = <G, P V>`.
        func matrixGradient(values v: [Double], gradient g: [Double], _ d: Int) -> [Double] {
            var gp = [Double](repeating: 0, count: batch * n * n)
            for b in 0..<batch { for i in 0..<n { for j in 0..<n { for k in 0..<d {
                gp[(b * n + i) * n + j] += g[(b * n + i) * d + k] * v[(b * n + j) * d + k]
            }}}}
            return gp
        }
    }

    static let directions: [SortDirection] = [.descending, .ascending]

    // MARK: Forward

    @Test("P V, P s, ranks, log Z against the dense reference (Double, 1e-12)",
          arguments: [(1, 0), (1, 1), (1, 2), (3, 7), (5, 9), (2, 33), (9, 17)])
    func forwardDouble(batch: Int, count: Int) throws {
        for direction in Self.directions {
            for (tau, d) in [(0.3, 1), (0.05, 3), (2.0, 2)] {
                let s = Self.scores(batch: batch, count: count, seed: UInt64(31 * count + batch))
                var generator = TestRandom(seed: 7)
                let v = generator.uniformValues(batch * count * d)
                let exact = try ExactSoftSort(temperature: tau, direction: direction)
                    .forward(scores: s, batch: batch, count: count)
                let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: direction)
                #expect(relativeError(try exact.apply(to: v, dimension: d).values, dense.apply(v, d)) <= 1e-12)
                #expect(relativeError(exact.sortedValues().values, dense.apply(s, 1)) <= 1e-12)
                let u = generator.uniformValues(batch * count * d)
                #expect(relativeError(try exact.applyTransposed(to: u, dimension: d).values,
                                           dense.applyTransposed(u, d)) <= 1e-12)
                let r = (0..<batch * count).map { Double($0 % max(count, 1) + 1) }
                #expect(relativeError(exact.ranks().values, dense.applyTransposed(r, 1)) <= 1e-12)
                var order: [Int] = []
                for b in 0..<batch { order += Reference.order(Array(s[b * count ..< (b + 1) * count]), direction: direction) }
                #expect(exact.permutation == order)
                // log Z_i from one column: log P[i, j] = -|x_i - s_j| / tau - log Z_i.
                let logZ = exact.logNormalizers
                for b in 0..<batch {
                    for i in 0..<count {
                        let x = s[b * count + exact.permutation[b * count + i]]
                        let expected = -abs(x - s[b * count]) / tau - log(dense.p[(b * count + i) * count])
                        #expect(abs(logZ[b * count + i] - expected) <= 1e-12 * max(1, abs(expected)))
                    }
                }
            }
        }
    }

    @Test("Float P V and P s against the dense reference (1e-5) and the dense Float path",
          arguments: [(1, 1), (3, 7), (9, 17), (17, 40)])
    func forwardFloat(batch: Int, count: Int) throws {
        for direction in Self.directions {
            for tau in [0.01, 0.2, 5.0] {
                let s = Self.scores(batch: batch, count: count, seed: UInt64(count)).map { Float($0) }
                let sd = s.map(Double.init)
                var generator = TestRandom(seed: 3)
                let v = generator.uniformValues(batch * count * 2).map { Float($0) }
                let exact = try ExactSoftSort(temperature: tau, direction: direction)
                    .forward(scores: s, batch: batch, count: count)
                let dense = Dense(scores: sd, batch: batch, count: count, temperature: Double(Float(tau)),
                                  direction: direction)
                #expect(relativeError(try exact.apply(to: v, dimension: 2).values,
                                           dense.apply(v.map(Double.init), 2)) <= 1e-5)
                #expect(relativeError(exact.sortedValues().values, dense.apply(sd, 1)) <= 1e-5)
                #expect(relativeError(exact.ranks().values, dense.applyTransposed(
                    (0..<batch * count).map { Double($0 % count + 1) }, 1)) <= 1e-5)
                let library = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s, batch: batch, count: count).sortedValues().values
                #expect(relativeError(exact.sortedValues().values, library.map(Double.init)) <= 1e-5)
            }
        }
    }

    // MARK: Backward

    @Test("VJPs of P V, P^T U, P s and ranks against the dense backward (Double, 1e-12)",
          arguments: [(1, 1), (1, 2), (3, 7), (5, 9), (2, 33)])
    func backwardDouble(batch: Int, count: Int) throws {
        for direction in Self.directions {
            for (tau, d) in [(0.3, 1), (0.05, 2), (3.0, 3)] {
                let s = Self.scores(batch: batch, count: count, seed: UInt64(77 + count))
                var generator = TestRandom(seed: 11)
                let v = generator.uniformValues(batch * count * d), g = generator.uniformValues(batch * count * d)
                let exact = try ExactSoftSort(temperature: tau, direction: direction)
                    .forward(scores: s, batch: batch, count: count)
                let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: direction)
                let backward = { (gp: [Double]) in
                    Reference.softSortBackward(scores: s, batch: batch, count: count, temperature: tau, power: 1,
                                               direction: direction, gradient: gp)
                }
                // P V: dL/ds through P, dL/dV = P^T G.
                let vjp = try exact.apply(to: v, dimension: d).backward(g)
                #expect(relativeError(vjp.scores, backward(dense.matrixGradient(values: v, gradient: g, d)))
                        <= 1e-12)
                #expect(relativeError(vjp.values, dense.applyTransposed(g, d)) <= 1e-12)
                // P^T U with dL/d(P^T U) = H: dL/dP[i, j] = <U_i, H_j>, dL/dU = P H.
                let tvjp = try exact.applyTransposed(to: v, dimension: d).backward(g)
                #expect(relativeError(tvjp.scores, backward(dense.matrixGradient(values: g, gradient: v, d)))
                        <= 1e-12)
                #expect(relativeError(tvjp.values, dense.apply(g, d)) <= 1e-12)
                // P s through both P and s.
                let g1 = Array(g.prefix(batch * count))
                var expected = backward(dense.matrixGradient(values: s, gradient: g1, 1))
                let direct = dense.applyTransposed(g1, 1)
                for k in expected.indices { expected[k] += direct[k] }
                #expect(relativeError(try exact.sortedValues().backward(g1), expected) <= 1e-12)
                // Ranks.
                let r = (0..<batch * count).map { Double($0 % count + 1) }
                #expect(relativeError(try exact.ranks().backward(g1),
                                           backward(dense.matrixGradient(values: g1, gradient: r, 1))) <= 1e-12)
            }
        }
    }

    @Test("Float VJP of P s and P V against the dense Double backward (1e-5)")
    func backwardFloat() throws {
        let batch = 11, count = 30
        for direction in Self.directions {
            for tau in [0.02, 0.5] {
                let s = Self.scores(batch: batch, count: count, seed: 5).map { Float($0) }
                let sd = s.map(Double.init), t = Double(Float(tau))
                var generator = TestRandom(seed: 19)
                let g = generator.uniformValues(batch * count).map { Float($0) }, gd = g.map(Double.init)
                let exact = try ExactSoftSort(temperature: tau, direction: direction)
                    .forward(scores: s, batch: batch, count: count)
                let dense = Dense(scores: sd, batch: batch, count: count, temperature: t, direction: direction)
                var expected = Reference.softSortBackward(
                    scores: sd, batch: batch, count: count, temperature: t, power: 1, direction: direction,
                    gradient: dense.matrixGradient(values: sd, gradient: gd, 1))
                let direct = dense.applyTransposed(gd, 1)
                for k in expected.indices { expected[k] += direct[k] }
                #expect(relativeError(try exact.sortedValues().backward(g), expected) <= 1e-5)
                let vjp = try exact.apply(to: g, dimension: 1).backward(g)
                #expect(relativeError(vjp.values, direct) <= 1e-5)
            }
        }
    }

    @Test("VJP of P V against central finite differences (Double)")
    func finiteDifferences() throws {
        let batch = 2, count = 12, d = 2, tau = 0.15
        let s = Self.scores(batch: batch, count: count, seed: 99)
        var generator = TestRandom(seed: 23)
        let v = generator.uniformValues(batch * count * d), g = generator.uniformValues(batch * count * d)
        let op = ExactSoftSort(temperature: tau)
        func loss(_ s: [Double], _ v: [Double]) throws -> Double {
            let y = try op.forward(scores: s, batch: batch, count: count).apply(to: v, dimension: d).values
            return zip(y, g).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let vjp = try op.forward(scores: s, batch: batch, count: count).apply(to: v, dimension: d).backward(g)
        let h = 1e-6
        for j in 0..<batch * count {
            var plus = s, minus = s
            plus[j] += h
            minus[j] -= h
            let numeric = (try loss(plus, v) - loss(minus, v)) / (2 * h)
            #expect(abs(numeric - vjp.scores[j]) <= 1e-7 * max(1, abs(numeric)))
        }
        for e in 0..<batch * count * d {
            var plus = v, minus = v
            plus[e] += h
            minus[e] -= h
            let numeric = (try loss(s, plus) - loss(s, minus)) / (2 * h)
            #expect(abs(numeric - vjp.values[e]) <= 1e-7 * max(1, abs(numeric)))
        }
    }

    // MARK: Losses

    @Test("Cross-entropy against the dense reference (value and gradient)",
          arguments: [(1, 1), (2, 5), (3, 9), (9, 20)])
    func crossEntropy(batch: Int, count: Int) throws {
        for direction in Self.directions {
            for tau in [0.1, 1.0] {
                let s = Self.scores(batch: batch, count: count, seed: UInt64(400 + count))
                var generator = TestRandom(seed: 41)
                var targets: [Int] = []
                for _ in 0..<batch {
                    var t = Array(0..<count)
                    for i in stride(from: count - 1, to: 0, by: -1) { t.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
                    targets += t
                }
                let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: direction)
                var expectedLoss = 0.0
                var gp = [Double](repeating: 0, count: batch * count * count)
                for b in 0..<batch {
                    for i in 0..<count {
                        let k = (b * count + i) * count + targets[b * count + i]
                        expectedLoss -= log(dense.p[k])
                        gp[k] = -1 / dense.p[k]
                    }
                }
                let expectedGradient = Reference.softSortBackward(
                    scores: s, batch: batch, count: count, temperature: tau, power: 1, direction: direction,
                    gradient: gp)
                let exact = try ExactSoftSort(temperature: tau, direction: direction)
                    .forward(scores: s, batch: batch, count: count)
                let result = try exact.crossEntropy(targets: targets)
                #expect(abs(result.value - expectedLoss) <= 1e-12 * max(1, abs(expectedLoss)))
                #expect(relativeError(result.gradient, expectedGradient) <= 1e-12)
                // Float.
                let exactFloat = try ExactSoftSort(temperature: tau, direction: direction)
                    .forward(scores: s.map { Float($0) }, batch: batch, count: count)
                let floatResult = try exactFloat.crossEntropy(targets: targets)
                #expect(abs(Double(floatResult.value) - expectedLoss) <= 1e-5 * max(1, abs(expectedLoss)))
                #expect(relativeError(floatResult.gradient, expectedGradient) <= 1e-4)
            }
        }
    }

    @Test("Top-k, quantiles and the kNN loss against the dense reference")
    func topKQuantileNearestNeighbors() throws {
        let batch = 3, count = 10, d = 2, tau = 0.2
        let s = Self.scores(batch: batch, count: count, seed: 8)
        var generator = TestRandom(seed: 29)
        let v = generator.uniformValues(batch * count * d)
        let exact = try ExactSoftSort(temperature: tau).forward(scores: s, batch: batch, count: count)
        let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: .descending)
        let y = dense.apply(v, d)
        let k = 4
        let top = try exact.topK(k, of: v, dimension: d).values
        var expectedTop: [Double] = []
        for b in 0..<batch { expectedTop += y[b * count * d ..< (b * count + k) * d] }
        #expect(relativeError(top, expectedTop) <= 1e-12)
        for (q, row) in [(0.0, 0), (0.5, 5), (0.44, 4), (1.0, 9)] {  // round(q * 9)
            let quantile = try exact.quantile(q, of: v, dimension: d).values
            var expected: [Double] = []
            for b in 0..<batch { expected += y[(b * count + row) * d ..< (b * count + row + 1) * d] }
            #expect(relativeError(quantile, expected) <= 1e-12)
        }
        // Top-k backward = the P V backward with G zero below row k.
        let gk = generator.uniformValues(batch * k * d)
        var full = [Double](repeating: 0, count: batch * count * d)
        for b in 0..<batch { for e in 0..<k * d { full[b * count * d + e] = gk[b * k * d + e] } }
        let topVJP = try exact.topK(k, of: v, dimension: d).backward(gk)
        let fullVJP = try exact.apply(to: v, dimension: d).backward(full)
        #expect(topVJP.scores == fullVJP.scores && topVJP.values == fullVJP.values)
        // kNN: -(1 / (B k)) sum_b sum_(i < k) (P y)_i, and its gradient by finite differences.
        let matches = (0..<batch * count).map { Double(($0 * 7) % 3 == 0 ? 1 : 0) }
        let py = dense.apply(matches, 1)
        var expectedLoss = 0.0
        for b in 0..<batch { for i in 0..<k { expectedLoss -= py[b * count + i] / Double(batch * k) } }
        let knn = try exact.nearestNeighborLoss(matches: matches, k: k)
        #expect(abs(knn.value - expectedLoss) <= 1e-12)
        let h = 1e-6
        for j in 0..<batch * count {
            var plus = s, minus = s
            plus[j] += h
            minus[j] -= h
            let lp = try ExactSoftSort(temperature: tau).forward(scores: plus, batch: batch, count: count)
                .nearestNeighborLoss(matches: matches, k: k).value
            let lm = try ExactSoftSort(temperature: tau).forward(scores: minus, batch: batch, count: count)
                .nearestNeighborLoss(matches: matches, k: k).value
            #expect(abs((lp - lm) / (2 * h) - knn.gradient[j]) <= 1e-7)
        }
    }

    // MARK: Extremes

    @Test("Finite results for tau from 1e-6 to 1e6 and scores up to 1e30 (Float and Double)")
    func extremes() throws {
        let batch = 9, count = 24
        for magnitude in [1e-3, 1.0, 1e10, 1e30] {
            for tau in [1e-6, 1e-3, 1.0, 1e6] {
                var s = Self.scores(batch: batch, count: count, seed: 12, spread: 2 * magnitude)
                s[3] = s[4]  // one exact tie
                try Self.expectFinite(s, batch: batch, count: count, tau: tau)
                try Self.expectFinite(s.map { Float($0) }, batch: batch, count: count, tau: tau)
            }
        }
    }

    static func expectFinite<T: SoftSortScalar>(_ s: [T], batch: Int, count: Int, tau: Double) throws {
        let exact = try ExactSoftSort(temperature: tau).forward(scores: s, batch: batch, count: count)
        let g = (0..<batch * count).map { T($0 % 5) - 2 }
        let identity = (0..<batch).flatMap { b in exact.permutation[b * count ..< (b + 1) * count] }
        let outputs: [[T]] = [
            exact.sortedValues().values, exact.ranks().values, exact.logNormalizers, try exact.sortedValues().backward(g),
            try exact.ranks().backward(g), try exact.crossEntropy(targets: Array(identity)).gradient,
            [try exact.crossEntropy(targets: Array(identity)).value],
            try exact.nearestNeighborLoss(matches: g.map { $0 > 0 ? 1 : 0 }, k: 3).gradient,
        ]
        for output in outputs {
            let finite = output.allSatisfy { $0.isFinite }
            #expect(finite, "tau \(tau), max |s| \(s.map(\.magnitude).max()!)")
        }
        // Each relaxed sorted value lies between the smallest and largest score.
        let lowest = s.min()!, highest = s.max()!
        #expect(exact.sortedValues().values.allSatisfy { $0 >= lowest && $0 <= highest })
    }

    @Test("Tiny and huge temperatures match the dense reference (Double)")
    func extremeTemperatures() throws {
        let batch = 2, count = 9
        let s = Self.scores(batch: batch, count: count, seed: 4)
        for tau in [1e-6, 1e-3, 1e6] {
            let exact = try ExactSoftSort(temperature: tau).forward(scores: s, batch: batch, count: count)
            let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: .descending)
            #expect(relativeError(exact.sortedValues().values, dense.apply(s, 1)) <= 1e-12)
            #expect(relativeError(exact.ranks().values, dense.applyTransposed(
                (0..<batch * count).map { Double($0 % count + 1) }, 1)) <= 1e-12)
        }
    }

    // MARK: Validation

    @Test("Invalid inputs throw the matching SoftSortError")
    func validation() throws {
        let op = ExactSoftSort(temperature: 1)
        #expect(throws: SoftSortError.invalidTemperature(0)) {
            try ExactSoftSort(temperature: 0).forward(scores: [1.0], batch: 1, count: 1)
        }
        #expect(throws: SoftSortError.invalidTemperature(1e-50)) {
            try ExactSoftSort(temperature: 1e-50).forward(scores: [Float(1)], batch: 1, count: 1)
        }
        #expect(throws: SoftSortError.sizeMismatch(argument: "scores", expected: 4, actual: 3)) {
            try op.forward(scores: [1.0, 2, 3], batch: 2, count: 2)
        }
        #expect(throws: SoftSortError.nonFiniteScore(row: 1, column: 0)) {
            try op.forward(scores: [1.0, 2, .nan, 3], batch: 2, count: 2)
        }
        #expect(throws: SoftSortError.invalidDimension(argument: "batch", value: -1)) {
            try op.forward(scores: [Double](), batch: -1, count: 2)
        }
        let result = try op.forward(scores: [1.0, 2, 3], batch: 1, count: 3)
        #expect(throws: SoftSortError.invalidDimension(argument: "dimension", value: 0)) {
            try result.apply(to: [], dimension: 0)
        }
        #expect(throws: SoftSortError.sizeMismatch(argument: "values", expected: 6, actual: 3)) {
            try result.apply(to: [1, 2, 3], dimension: 2)
        }
        #expect(throws: SoftSortError.indexOutOfRange(argument: "targets", position: 2, value: 3, count: 3)) {
            try result.crossEntropy(targets: [0, 1, 3])
        }
        #expect(throws: SoftSortError.invalidArgument(name: "q", value: 1.5)) {
            try result.quantile(1.5, of: [1, 2, 3])
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "k", value: 4, count: 3)) {
            try result.topK(4, of: [1, 2, 3])
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "k", value: 0, count: 3)) {
            try result.nearestNeighborLoss(matches: [1, 0, 1], k: 0)
        }
        // n = 0 and B = 0 work.
        let empty = try op.forward(scores: [Float](), batch: 3, count: 0)
        #expect(empty.sortedValues().values.isEmpty && empty.ranks().values.isEmpty)
        #expect(try empty.crossEntropy(targets: []).value == 0)
    }
}
