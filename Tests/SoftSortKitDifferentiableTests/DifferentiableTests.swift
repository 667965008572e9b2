import _Differentiation
import Foundation
import SoftSortKit
import SoftSortKitDifferentiable
import Testing

/// The registered derivatives: each pullback against the library's own
/// backward (the same numbers) and against central finite differences of a
/// Double reference written from the definitions, away from ties.
@Suite("Differentiable wrappers")
struct DifferentiableTests {
    static let shapes = [(1, 2), (2, 5), (3, 9)]

    @Test("SoftSort P: pullback = library backward = finite differences", arguments: shapes)
    func softSortMatrices(batch: Int, count: Int) throws {
        for power in [1.0, 2.0] {
            let sorter = try DifferentiableSoftSort(SoftSort(temperature: 0.7, power: power), batch: batch, count: count)
            let s = randomValues(batch * count, seed: UInt64(10 + count))
            let g = randomValues(batch * count * count, seed: UInt64(20 + count))
            let (value, pullback) = valueWithPullback(at: s) { sorter.matrices($0) }
            let relaxed = try sorter.base.forward(scores: s, batch: batch, count: count)
            #expect(value == relaxed.matrices)
            let gradient = pullback(.init(g)).base
            #expect(gradient == (try relaxed.backward(g)))
            let logP = Reference.softSortLog(s, batch: batch, count: count, tau: 0.7, power: power)
            #expect(relativeError(value, logP.map(exp)) <= 1e-13)
            let numeric = finiteDifferences(s) { x in
                let p = Reference.softSortLog(x, batch: batch, count: count, tau: 0.7, power: power).map(exp)
                return zip(p, g).reduce(0) { $0 + $1.0 * $1.1 }
            }
            #expect(relativeError(gradient, numeric) <= 1e-7)
        }
    }

    @Test("NeuralSort P: pullback = library backward = finite differences", arguments: shapes)
    func neuralSortMatrices(batch: Int, count: Int) throws {
        let sorter = try DifferentiableNeuralSort(NeuralSort(temperature: 1.3), batch: batch, count: count)
        let s = randomValues(batch * count, seed: UInt64(30 + count))
        let g = randomValues(batch * count * count, seed: UInt64(40 + count))
        let (value, pullback) = valueWithPullback(at: s) { sorter.matrices($0) }
        let relaxed = try sorter.base.forward(scores: s, batch: batch, count: count)
        let gradient = pullback(.init(g)).base
        #expect(gradient == (try relaxed.backward(g)))
        #expect(relativeError(value, Reference.neuralSortLog(s, batch: batch, count: count, tau: 1.3).map(exp)) <= 1e-13)
        let numeric = finiteDifferences(s) { x in
            let p = Reference.neuralSortLog(x, batch: batch, count: count, tau: 1.3).map(exp)
            return zip(p, g).reduce(0) { $0 + $1.0 * $1.1 }
        }
        #expect(relativeError(gradient, numeric) <= 1e-7)
    }

    @Test("P V (fused and exact): pullbacks in V and s = library backward = finite differences", arguments: shapes)
    func products(batch: Int, count: Int) throws {
        let d = 3
        let s = randomValues(batch * count, seed: UInt64(50 + count))
        let v = randomValues(batch * count * d, seed: UInt64(60 + count))
        let g = randomValues(batch * count * d, seed: UInt64(70 + count))
        let fused = try DifferentiableSoftSort(SoftSort(temperature: 0.9, power: 1), batch: batch, count: count)
        let exact = try DifferentiableExactSoftSort(ExactSoftSort(temperature: 0.9), batch: batch, count: count)
        // Y[b, i, k] = sum_j P[b, i, j] V[b, j, k] from the reference P.
        func reference(_ s: [Double], _ v: [Double]) -> [Double] {
            let p = Reference.softSortLog(s, batch: batch, count: count, tau: 0.9, power: 1).map(exp)
            var y = [Double](repeating: 0, count: batch * count * d)
            for b in 0..<batch {
                for i in 0..<count {
                    for j in 0..<count {
                        for k in 0..<d { y[(b * count + i) * d + k] += p[(b * count + i) * count + j] * v[(b * count + j) * d + k] }
                    }
                }
            }
            return y
        }
        let expected = reference(s, v)
        let dot = { (y: [Double]) in zip(y, g).reduce(0) { $0 + $1.0 * $1.1 } }
        let numericS = finiteDifferences(s) { dot(reference($0, v)) }
        let numericV = finiteDifferences(v) { dot(reference(s, $0)) }
        let library = try SoftSort(temperature: 0.9, power: 1).apply(to: v, scores: s, batch: batch, count: count, dimension: d)
            .backward(g)
        for (name, f) in [("fused", { (v: [Double], s: [Double]) in fused.apply(to: v, scores: s, dimension: d) }),
                          ("exact", { (v: [Double], s: [Double]) in exact.apply(to: v, scores: s, dimension: d) })] {
            _ = name
            let (value, pullback) = valueWithPullback(at: v, s, of: f)
            let (dV, dS) = pullback(.init(g))
            #expect(relativeError(value, expected) <= 1e-12)
            #expect(relativeError(dS.base, numericS) <= 1e-7)
            #expect(relativeError(dV.base, numericV) <= 1e-7)
        }
        let (_, fusedPullback) = valueWithPullback(at: v, s) { fused.apply(to: $0, scores: $1, dimension: d) }
        let (dV, dS) = fusedPullback(.init(g))
        #expect(dV.base == library.values && dS.base == library.scores)
    }

    @Test("Exact P s: pullback = library backward = finite differences", arguments: shapes)
    func sortedValues(batch: Int, count: Int) throws {
        let exact = try DifferentiableExactSoftSort(ExactSoftSort(temperature: 0.4), batch: batch, count: count)
        let s = randomValues(batch * count, seed: UInt64(80 + count))
        let g = randomValues(batch * count, seed: UInt64(90 + count))
        let (_, pullback) = valueWithPullback(at: s) { exact.sortedValues($0) }
        let library = try exact.base.forward(scores: s, batch: batch, count: count).sortedValues().backward(g)
        #expect(pullback(.init(g)).base == library)
        let numeric = finiteDifferences(s) { x in
            let p = Reference.softSortLog(x, batch: batch, count: count, tau: 0.4, power: 1).map(exp)
            var total = 0.0
            for b in 0..<batch {
                for i in 0..<count {
                    for j in 0..<count { total += g[b * count + i] * p[(b * count + i) * count + j] * x[b * count + j] }
                }
            }
            return total
        }
        #expect(relativeError(library, numeric) <= 1e-7)
    }
}
