import _Differentiation
import Foundation
import SoftSortKit
import SoftSortKitDifferentiable
import Testing

/// `s_j = a x_j + c x_j^2`: plain Swift the compiler differentiates (a loop and `append`).
@differentiable(reverse, wrt: (a, c))
func quadraticScores(_ a: Double, _ c: Double, _ x: [Double]) -> [Double] {
    var s: [Double] = []
    for j in 0..<withoutDerivative(at: x.count) { s.append(a * x[j] + c * x[j] * x[j]) }
    return s
}

/// The registered derivatives: each pullback against the library's own
/// backward (the same numbers) and against central finite differences of a
/// Double reference written from the definitions, away from ties.
@Suite("Differentiable wrappers")
struct DifferentiableTests {
    static let shapes = [(1, 2), (2, 5), (3, 9)]

    @Test("SoftSort P: pullback = library backward = finite differences", arguments: shapes)
    func softSortMatrices(batch: Int, count: Int) throws {
        for power in [1.0, 2.0] {
            let sorter = try DifferentiableSort(SoftSort(temperature: 0.7, power: power), batch: batch, count: count)
            let s = randomValues(batch * count, seed: UInt64(10 + count))
            let g = randomValues(batch * count * count, seed: UInt64(20 + count))
            let (value, pullback) = valueWithPullback(at: s) { sorter.matrices($0) }
            let relaxed = try sorter.base.forward(scores: s, batch: batch, count: count, path: .dense).matrices()
            #expect(value == relaxed.values)
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
        let sorter = try DifferentiableSort(NeuralSort(temperature: 1.3), batch: batch, count: count)
        let s = randomValues(batch * count, seed: UInt64(30 + count))
        let g = randomValues(batch * count * count, seed: UInt64(40 + count))
        let (value, pullback) = valueWithPullback(at: s) { sorter.matrices($0) }
        let relaxed = try sorter.base.forward(scores: s, batch: batch, count: count, path: .dense).matrices()
        let gradient = pullback(.init(g)).base
        #expect(gradient == (try relaxed.backward(g)))
        #expect(relativeError(value, Reference.neuralSortLog(s, batch: batch, count: count, tau: 1.3).map(exp)) <= 1e-13)
        let numeric = finiteDifferences(s) { x in
            let p = Reference.neuralSortLog(x, batch: batch, count: count, tau: 1.3).map(exp)
            return zip(p, g).reduce(0) { $0 + $1.0 * $1.1 }
        }
        #expect(relativeError(gradient, numeric) <= 1e-7)
    }

    @Test("P V (fused, exact, dense, automatic): pullbacks in V and s = library backward = finite differences", arguments: shapes)
    func products(batch: Int, count: Int) throws {
        let d = 3
        let s = randomValues(batch * count, seed: UInt64(50 + count))
        let v = randomValues(batch * count * d, seed: UInt64(60 + count))
        let g = randomValues(batch * count * d, seed: UInt64(70 + count))
        let fused = try DifferentiableSort(SoftSort(temperature: 0.9, power: 1), batch: batch, count: count, path: .fused)
        let exact = try DifferentiableSort(SoftSort(temperature: 0.9, power: 1), batch: batch, count: count, path: .exact)
        let dense = try DifferentiableSort(SoftSort(temperature: 0.9, power: 1), batch: batch, count: count, path: .dense)
        let automatic = try DifferentiableSort(SoftSort(temperature: 0.9, power: 1), batch: batch, count: count)
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
        let library = try SoftSort(temperature: 0.9, power: 1).forward(scores: s, batch: batch, count: count, path: .fused)
            .apply(to: v, dimension: d).backward(g)
        let results = [
            valueWithPullback(at: v, s) { fused.apply(to: $0, scores: $1, dimension: d) },
            valueWithPullback(at: v, s) { exact.apply(to: $0, scores: $1, dimension: d) },
            valueWithPullback(at: v, s) { dense.apply(to: $0, scores: $1, dimension: d) },
            valueWithPullback(at: v, s) { automatic.apply(to: $0, scores: $1, dimension: d) },
        ]
        for (value, pullback) in results {
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
        let exact = try DifferentiableSort(SoftSort(temperature: 0.4, power: 1), batch: batch, count: count, path: .exact)
        let s = randomValues(batch * count, seed: UInt64(80 + count))
        let g = randomValues(batch * count, seed: UInt64(90 + count))
        let (_, pullback) = valueWithPullback(at: s) { exact.sortedValues($0) }
        let library = try exact.base.forward(scores: s, batch: batch, count: count, path: .exact).sortedValues().backward(g)
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

extension DifferentiableTests {
    @Test("Ranks, P^T U and the kNN loss on every path: pullbacks = library backwards = finite differences")
    func ranksTransposedAndNearestNeighbors() throws {
        let (batch, count, d, k) = (2, 6, 2, 3)
        let s = randomValues(batch * count, seed: 150)
        let u = randomValues(batch * count * d, seed: 151)
        let g = randomValues(batch * count * d, seed: 152)
        let y = (0..<batch * count).map { Double($0 % 3 == 0 ? 1 : 0) }
        for (power, paths) in [(1.0, [SoftSortPath.exact, .dense, .automatic]), (2.0, [.gauss, .dense, .automatic])] {
            let tau = 0.8
            let p = { (x: [Double]) in Reference.softSortLog(x, batch: batch, count: count, tau: tau, power: power).map(exp) }
            // (P^T U)[b, j, e] = sum_i P[b, i, j] U[b, i, e]; ranks: U = r = i + 1.
            func transposed(_ x: [Double], _ u: [Double], _ d: Int) -> [Double] {
                let m = p(x)
                var out = [Double](repeating: 0, count: batch * count * d)
                for b in 0..<batch {
                    for i in 0..<count {
                        for j in 0..<count {
                            for e in 0..<d { out[(b * count + j) * d + e] += m[(b * count + i) * count + j] * u[(b * count + i) * d + e] }
                        }
                    }
                }
                return out
            }
            let ranks = (0..<batch * count).map { Double($0 % count + 1) }
            func knn(_ x: [Double]) -> Double {
                let m = p(x)
                var total = 0.0
                for b in 0..<batch {
                    for i in 0..<k {
                        for j in 0..<count { total += m[(b * count + i) * count + j] * y[b * count + j] }
                    }
                }
                return -total / Double(batch * k)
            }
            let dot = { (a: [Double], b: [Double]) in zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
            for path in paths {
                let sorter = try DifferentiableSort(SoftSort(temperature: tau, power: power), batch: batch, count: count, path: path)
                let tolerance = path == .gauss || (power == 2 && path == .automatic) ? 1e-9 : 1e-12
                let (rankValues, rankPullback) = valueWithPullback(at: s) { sorter.ranks($0) }
                #expect(relativeError(rankValues, transposed(s, ranks, 1)) <= tolerance)
                let gr = Array(g.prefix(batch * count))
                #expect(relativeError(rankPullback(.init(gr)).base, finiteDifferences(s) { dot(transposed($0, ranks, 1), gr) }) <= 1e-6)
                let (value, pullback) = valueWithPullback(at: u, s) { sorter.applyTransposed(to: $0, scores: $1, dimension: d) }
                #expect(relativeError(value, transposed(s, u, d)) <= tolerance)
                let (dU, dS) = pullback(.init(g))
                #expect(relativeError(dS.base, finiteDifferences(s) { dot(transposed($0, u, d), g) }) <= 1e-6)
                #expect(relativeError(dU.base, finiteDifferences(u) { dot(transposed(s, $0, d), g) }) <= 1e-6)
                let (loss, gradient) = valueWithGradient(at: s) { sorter.nearestNeighborLoss($0, matches: y, k: k) }
                #expect(abs(loss - knn(s)) <= tolerance)
                #expect(relativeError(gradient.base, finiteDifferences(s, knn)) <= 1e-6)
            }
        }
    }
}

/// The cross-entropies: values against the reference, gradients against the
/// library and finite differences, stability, composition, zero tangents and
/// validation.
@Suite("Differentiable cross-entropies")
struct DifferentiableLossTests {
    @Test("SoftSort dense and exact, NeuralSort: value and gradient", arguments: [(1, 3), (2, 5), (4, 9)])
    func crossEntropies(batch: Int, count: Int) throws {
        let s = randomValues(batch * count, seed: UInt64(100 + count))
        let t = randomTargets(batch: batch, count: count, seed: UInt64(110 + count))
        let dense1 = try DifferentiableSort(SoftSort(temperature: 0.6, power: 1), batch: batch, count: count, path: .dense)
        let dense2 = try DifferentiableSort(SoftSort(temperature: 0.6, power: 2), batch: batch, count: count, path: .dense)
        let exact = try DifferentiableSort(SoftSort(temperature: 0.6, power: 1), batch: batch, count: count, path: .exact)
        let neural = try DifferentiableSort(NeuralSort(temperature: 0.6), batch: batch, count: count, path: .dense)
        let fused1 = try DifferentiableSort(SoftSort(temperature: 0.6, power: 1), batch: batch, count: count, path: .fused)
        let fused2 = try DifferentiableSort(SoftSort(temperature: 0.6, power: 2), batch: batch, count: count, path: .fused)
        let automatic1 = try DifferentiableSort(SoftSort(temperature: 0.6, power: 1), batch: batch, count: count)
        let automatic2 = try DifferentiableSort(SoftSort(temperature: 0.6, power: 2), batch: batch, count: count)
        let gauss = try DifferentiableSort(SoftSort(temperature: 0.6, power: 2), batch: batch, count: count, path: .gauss)
        let neuralFused = try DifferentiableSort(NeuralSort(temperature: 0.6), batch: batch, count: count, path: .fused)
        let soft1 = { (x: [Double]) in
            Reference.crossEntropy(Reference.softSortLog(x, batch: batch, count: count, tau: 0.6, power: 1), targets: t, count: count)
        }
        let soft2 = { (x: [Double]) in
            Reference.crossEntropy(Reference.softSortLog(x, batch: batch, count: count, tau: 0.6, power: 2), targets: t, count: count)
        }
        let neuralReference = { (x: [Double]) in
            Reference.crossEntropy(Reference.neuralSortLog(x, batch: batch, count: count, tau: 0.6), targets: t, count: count)
        }
        let cases: [((Double, Array<Double>.TangentVector), ([Double]) -> Double)] = [
            (valueWithGradient(at: s) { dense1.crossEntropy($0, targets: t) }, soft1),
            (valueWithGradient(at: s) { dense2.crossEntropy($0, targets: t) }, soft2),
            (valueWithGradient(at: s) { exact.crossEntropy($0, targets: t) }, soft1),
            (valueWithGradient(at: s) { neural.crossEntropy($0, targets: t) }, neuralReference),
            (valueWithGradient(at: s) { fused1.crossEntropy($0, targets: t) }, soft1),
            (valueWithGradient(at: s) { fused2.crossEntropy($0, targets: t) }, soft2),
            (valueWithGradient(at: s) { automatic1.crossEntropy($0, targets: t) }, soft1),
            (valueWithGradient(at: s) { neuralFused.crossEntropy($0, targets: t) }, neuralReference),
            (valueWithGradient(at: s) { automatic2.crossEntropy($0, targets: t) }, soft2),
            (valueWithGradient(at: s) { gauss.crossEntropy($0, targets: t) }, soft2),
        ]
        for (index, ((value, gradient), reference)) in cases.enumerated() {
            // The gauss transforms are within 1e-13 per unit weight, not to the last bit.
            let tolerance = index >= 8 ? 1e-11 : 1e-12
            #expect(abs(value - reference(s)) <= tolerance * max(1, abs(reference(s))))
            #expect(relativeError(gradient.base, finiteDifferences(s, reference)) <= 1e-7)
        }
        // The exact pullback is the library's exact gradient.
        let library = try exact.base.forward(scores: s, batch: batch, count: count, path: .exact).crossEntropy(targets: t)
        #expect(cases[2].0.1.base == library.gradient)
        let fused = try fused2.base.forward(scores: s, batch: batch, count: count, path: .fused).crossEntropy(targets: t)
        #expect(cases[5].0.1.base == fused.gradient)
    }

    @Test("Stochastic SoftSort: the mean over samples of the perturbed rows' cross-entropy")
    func stochastic() throws {
        let (batch, count, k) = (3, 6, 4)
        let base = SoftSort(temperature: 0.8, power: 1, perturbation: GumbelPerturbation(samplesPerRow: k, seed: 99))
        let sorter = try DifferentiableSort(base, batch: batch, count: count, path: .dense)
        let s = randomValues(batch * count, seed: 120)
        let t = randomTargets(batch: batch, count: count, seed: 121)
        // The noise is fixed by the seed: the reference reads it back from the library's perturbed scores.
        let noise = zip(try base.forward(scores: s, batch: batch, count: count).scores, (0..<batch * k * count).map { e in
            s[(e / (k * count)) * count + e % count]
        }).map { $0 - $1 }
        let reference = { (x: [Double]) -> Double in
            var perturbed: [Double] = [], repeated: [Int] = []
            for b in 0..<batch {
                for m in 0..<k {
                    for j in 0..<count { perturbed.append(x[b * count + j] + noise[(b * k + m) * count + j]) }
                    repeated += t[b * count ..< (b + 1) * count]
                }
            }
            let logP = Reference.softSortLog(perturbed, batch: batch * k, count: count, tau: 0.8, power: 1)
            return Reference.crossEntropy(logP, targets: repeated, count: count) / Double(k)
        }
        for path in [SoftSortPath.dense, .fused, .exact, .automatic] {
            let sorter = try DifferentiableSort(base, batch: batch, count: count, path: path)
            let (value, gradient) = valueWithGradient(at: s) { sorter.crossEntropy($0, targets: t) }
            #expect(abs(value - reference(s)) <= 1e-12 * max(1, abs(value)))
            #expect(relativeError(gradient.base, finiteDifferences(s, reference)) <= 1e-7)
        }
    }

    @Test("Huge scores: log P stays finite where P underflows in Float, on every path")
    func underflow() throws {
        // Descending scores 0, -60, -120 with tau 1: row 0's entry for the smallest is e^-120, 0 in Float.
        let s: [Float] = [0, -60, -120]
        let reversed = [2, 1, 0]
        let dense = try DifferentiableSort(SoftSort(temperature: 1, power: 1), batch: 1, count: 3, path: .dense)
        let exact = try DifferentiableSort(SoftSort(temperature: 1, power: 1), batch: 1, count: 3)
        let expected = Reference.crossEntropy(
            Reference.softSortLog(s.map(Double.init), batch: 1, count: 3, tau: 1, power: 1), targets: reversed, count: 3)
        let (value, denseGradient) = valueWithGradient(at: s) { dense.crossEntropy($0, targets: reversed) }
        #expect(value.isFinite)
        #expect(abs(Double(value) - expected) <= 1e-5 * expected)
        #expect(denseGradient.base.allSatisfy { $0.isFinite })
        let (exactValue, exactGradient) = valueWithGradient(at: s) { exact.crossEntropy($0, targets: reversed) }
        #expect(abs(Double(exactValue) - expected) <= 1e-5 * expected)
        let finite = exactGradient.base.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test("Composition: gradient through Swift code around the loss")
    func composition() throws {
        let (batch, count) = (2, 4)
        let exact = try DifferentiableSort(SoftSort(temperature: 0.5, power: 1), batch: batch, count: count, path: .exact)
        let x = randomValues(batch * count, seed: 130)
        let t = randomTargets(batch: batch, count: count, seed: 131)
        // A scorer s = a x + c x^2 with two parameters, differentiated end to end.
        let (da, dc) = gradient(at: 1.3, 0.2) { a, c in
            exact.crossEntropy(quadraticScores(a, c, x), targets: t) / Double(batch * count)
        }
        func loss(_ a: Double, _ c: Double) -> Double {
            exact.crossEntropy(x.map { a * $0 + c * $0 * $0 }, targets: t) / Double(batch * count)
        }
        let h = 1e-6
        #expect(abs(da - (loss(1.3 + h, 0.2) - loss(1.3 - h, 0.2)) / (2 * h)) <= 1e-7)
        #expect(abs(dc - (loss(1.3, 0.2 + h) - loss(1.3, 0.2 - h)) / (2 * h)) <= 1e-7)
        #expect(da != 0 && dc != 0)
    }

    @Test("A zero (empty) tangent pulls back to zeros of the right size")
    func zeroTangent() throws {
        let sorter = try DifferentiableSort(SoftSort(temperature: 1), batch: 2, count: 3)
        let (_, pullback) = valueWithPullback(at: randomValues(6, seed: 140)) { sorter.matrices($0) }
        #expect(pullback(.zero).base == [Double](repeating: 0, count: 6))
        // Only one entry of P used: its gradient equals the library's with a one-hot upstream.
        let s = randomValues(6, seed: 141)
        let g = gradient(at: s) { sorter.matrices($0)[4] }
        var oneHot = [Double](repeating: 0, count: 18)
        oneHot[4] = 1
        #expect(g.base == (try sorter.base.forward(scores: s, batch: 2, count: 3, path: .dense).matrices().backward(oneHot)))
    }

    @Test("The initialisers throw the library's typed errors")
    func validation() {
        #expect(throws: SoftSortError.invalidTemperature(0)) {
            try DifferentiableSort(SoftSort(temperature: 0), batch: 1, count: 2)
        }
        #expect(throws: SoftSortError.invalidPower(-1)) {
            try DifferentiableSort(SoftSort(power: -1), batch: 1, count: 2)
        }
        #expect(throws: SoftSortError.invalidDimension(argument: "batch", value: -1)) {
            try DifferentiableSort(SoftSort(), batch: -1, count: 2, path: .exact)
        }
        #expect(throws: SoftSortError.invalidDimension(argument: "count", value: -2)) {
            try DifferentiableSort(NeuralSort(), batch: 1, count: -2)
        }
        #expect(throws: SoftSortError.invalidSampleCount(0)) {
            try DifferentiableSort(SoftSort(perturbation: GumbelPerturbation(samplesPerRow: 0)), batch: 1, count: 2)
        }
        #expect(throws: SoftSortError.shapeOverflow(batch: Int.max / 2, count: 4)) {
            try DifferentiableSort(SoftSort(), batch: Int.max / 2, count: 4)
        }
        #expect(throws: SoftSortError.unsupportedPath(
            path: "gauss", reason: "the Gauss transform needs p = 2; use .exact for p = 1, else .fused")) {
            try DifferentiableSort(SoftSort(power: 1), batch: 1, count: 2, path: .gauss)
        }
    }
}
