import Foundation
import Testing
@testable import SoftSortKit

/// The exact O(n log n) `p = 1` path (`SoftSort`, `path: .exact`) against the dense
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
                let exact = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s, batch: batch, count: count, path: .exact)
                let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: direction)
                #expect(relativeError(try exact.apply(to: v, dimension: d).values, dense.apply(v, d)) <= 1e-12)
                #expect(try relativeError(exact.sortedValues().values, dense.apply(s, 1)) <= 1e-12)
                let u = generator.uniformValues(batch * count * d)
                #expect(relativeError(try exact.applyTransposed(to: u, dimension: d).values,
                                           dense.applyTransposed(u, d)) <= 1e-12)
                let r = (0..<batch * count).map { Double($0 % max(count, 1) + 1) }
                #expect(try relativeError(exact.ranks().values, dense.applyTransposed(r, 1)) <= 1e-12)
                var order: [Int] = []
                for b in 0..<batch { order += Reference.order(Array(s[b * count ..< (b + 1) * count]), direction: direction) }
                #expect(exact.permutation == order)
                // log Z_i from one column: log P[i, j] = -|x_i - s_j| / tau - log Z_i.
                let logZ = try exact.logNormalizers()
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
                let exact = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s, batch: batch, count: count, path: .exact)
                let dense = Dense(scores: sd, batch: batch, count: count, temperature: Double(Float(tau)),
                                  direction: direction)
                #expect(relativeError(try exact.apply(to: v, dimension: 2).values,
                                           dense.apply(v.map(Double.init), 2)) <= 1e-5)
                #expect(try relativeError(exact.sortedValues().values, dense.apply(sd, 1)) <= 1e-5)
                #expect(try relativeError(exact.ranks().values, dense.applyTransposed(
                    (0..<batch * count).map { Double($0 % count + 1) }, 1)) <= 1e-5)
                let library = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s, batch: batch, count: count, path: .dense).sortedValues().values
                #expect(try relativeError(exact.sortedValues().values, library.map(Double.init)) <= 1e-5)
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
                let exact = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s, batch: batch, count: count, path: .exact)
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
                let exact = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s, batch: batch, count: count, path: .exact)
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
        let op = SoftSort(temperature: tau, power: 1)
        func loss(_ s: [Double], _ v: [Double]) throws -> Double {
            let y = try op.forward(scores: s, batch: batch, count: count, path: .exact).apply(to: v, dimension: d).values
            return zip(y, g).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let vjp = try op.forward(scores: s, batch: batch, count: count, path: .exact).apply(to: v, dimension: d).backward(g)
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
}
