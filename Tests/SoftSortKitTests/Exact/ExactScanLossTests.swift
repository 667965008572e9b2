import Foundation
import Testing
@testable import SoftSortKit

/// The exact path's losses, extremes and validation: more tests of the
/// "Exact p = 1 scans" suite (`ExactScanTests.swift` has its helpers).
extension ExactScanTests {
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
                let exact = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s, batch: batch, count: count, path: .exact)
                let result = try exact.crossEntropy(targets: targets)
                #expect(abs(result.value - expectedLoss) <= 1e-12 * max(1, abs(expectedLoss)))
                #expect(relativeError(result.gradient, expectedGradient) <= 1e-12)
                // Float.
                let exactFloat = try SoftSort(temperature: tau, power: 1, direction: direction)
                    .forward(scores: s.map { Float($0) }, batch: batch, count: count, path: .exact)
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
        let exact = try SoftSort(temperature: tau, power: 1).forward(scores: s, batch: batch, count: count, path: .exact)
        let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: .descending)
        let y = dense.apply(v, d)
        let k = 4
        let top = try exact.topK(k, of: v, dimension: d).values
        var expectedTop: [Double] = []
        for b in 0..<batch { expectedTop += y[b * count * d ..< (b * count + k) * d] }
        #expect(relativeError(top, expectedTop) <= 1e-12)
        for (q, row) in [(0.0, 0), (0.5, 5), (0.44, 4), (1.0, 9)] {  // round(q * 9)
            let quantile = try exact.quantiles([q], of: v, dimension: d).values
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
            let lp = try SoftSort(temperature: tau, power: 1).forward(scores: plus, batch: batch, count: count, path: .exact)
                .nearestNeighborLoss(matches: matches, k: k).value
            let lm = try SoftSort(temperature: tau, power: 1).forward(scores: minus, batch: batch, count: count, path: .exact)
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
        let exact = try SoftSort(temperature: tau, power: 1).forward(scores: s, batch: batch, count: count, path: .exact)
        let g = (0..<batch * count).map { T($0 % 5) - 2 }
        let identity = (0..<batch).flatMap { b in exact.permutation[b * count ..< (b + 1) * count] }
        let outputs: [[T]] = [
            try exact.sortedValues().values, try exact.ranks().values, try exact.logNormalizers(), try exact.sortedValues().backward(g),
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
        #expect(try exact.sortedValues().values.allSatisfy { $0 >= lowest && $0 <= highest })
    }

    @Test("Tiny and huge temperatures match the dense reference (Double)")
    func extremeTemperatures() throws {
        let batch = 2, count = 9
        let s = Self.scores(batch: batch, count: count, seed: 4)
        for tau in [1e-6, 1e-3, 1e6] {
            let exact = try SoftSort(temperature: tau, power: 1).forward(scores: s, batch: batch, count: count, path: .exact)
            let dense = Dense(scores: s, batch: batch, count: count, temperature: tau, direction: .descending)
            #expect(try relativeError(exact.sortedValues().values, dense.apply(s, 1)) <= 1e-12)
            #expect(try relativeError(exact.ranks().values, dense.applyTransposed(
                (0..<batch * count).map { Double($0 % count + 1) }, 1)) <= 1e-12)
        }
    }

    // MARK: Validation

    @Test("Invalid inputs throw the matching SoftSortError")
    func validation() throws {
        let op = SoftSort(temperature: 1, power: 1)
        #expect(throws: SoftSortError.invalidTemperature(0)) {
            try SoftSort(temperature: 0, power: 1).forward(scores: [1.0], batch: 1, count: 1, path: .exact)
        }
        #expect(throws: SoftSortError.invalidTemperature(1e-50)) {
            try SoftSort(temperature: 1e-50, power: 1).forward(scores: [Float(1)], batch: 1, count: 1, path: .exact)
        }
        #expect(throws: SoftSortError.sizeMismatch(argument: "scores", expected: 4, actual: 3)) {
            try op.forward(scores: [1.0, 2, 3], batch: 2, count: 2, path: .exact)
        }
        #expect(throws: SoftSortError.nonFiniteScore(row: 1, column: 0)) {
            try op.forward(scores: [1.0, 2, .nan, 3], batch: 2, count: 2, path: .exact)
        }
        #expect(throws: SoftSortError.invalidDimension(argument: "batch", value: -1)) {
            try op.forward(scores: [Double](), batch: -1, count: 2, path: .exact)
        }
        let result = try op.forward(scores: [1.0, 2, 3], batch: 1, count: 3, path: .exact)
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
            try result.quantiles([1.5], of: [1, 2, 3])
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "k", value: 4, count: 3)) {
            try result.topK(4, of: [1, 2, 3])
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "k", value: 0, count: 3)) {
            try result.nearestNeighborLoss(matches: [1, 0, 1], k: 0)
        }
        // n = 0 and B = 0 work.
        let empty = try op.forward(scores: [Float](), batch: 3, count: 0, path: .exact)
        #expect(try empty.sortedValues().values.isEmpty && empty.ranks().values.isEmpty)
        #expect(try empty.crossEntropy(targets: []).value == 0)
    }
}
