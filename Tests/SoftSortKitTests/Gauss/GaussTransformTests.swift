import Foundation
import Testing
@testable import SoftSortKit

/// The `p = 2` Gauss-transform path (`GaussEngine`, `GaussTransform`) against
/// dense `Double` references: the transform's sums against the direct
/// `O(n^2)` sums within the stated bound, and the loss and `dL/ds` against a
/// dense max-subtracted log-sum-exp cross-entropy.
@Suite("Gauss transform p = 2")
struct GaussTransformTests {
    // MARK: References

    /// The cross-entropy and its gradient from every logit, in `Double`.
    static func denseLoss(
        scores: [Double], targets: [Int], batch: Int, count n: Int, temperature tau: Double, direction: SortDirection
    ) -> (loss: Double, gradient: [Double]) {
        var loss = 0.0, gradient = [Double](repeating: 0, count: batch * n)
        for b in 0..<batch {
            let s = Array(scores[b * n ..< (b + 1) * n])
            let perm = Reference.order(s, direction: direction)
            for i in 0..<n {
                let c = s[perm[i]], t = targets[b * n + i]
                let logits = s.map { -(c - $0) * (c - $0) / tau }
                let p = Reference.softmax(logits)
                let largest = logits.max()!
                loss += largest + log(logits.reduce(0) { $0 + exp($1 - largest) }) - logits[t]
                for j in 0..<n {
                    let dLogit = p[j] - (j == t ? 1 : 0)
                    gradient[b * n + j] += dLogit * 2 * (c - s[j]) / tau
                    gradient[b * n + perm[i]] -= dLogit * 2 * (c - s[j]) / tau
                }
            }
        }
        return (loss, gradient)
    }

    static func scores(batch: Int, count: Int, spread: Double, seed: UInt64, ties: Bool = false) -> [Double] {
        var g = TestRandom(seed: seed)
        if ties { return (0..<batch * count).map { _ in spread * Double(Int(g.next() % 5)) / 4 } }
        return (0..<batch).flatMap { _ in g.distinct(count, spread: spread).map { $0 - spread / 2 } }
    }

    static func targets(batch: Int, count: Int, seed: UInt64, identity: Bool) -> [Int] {
        var g = TestRandom(seed: seed)
        return (0..<batch * count).map { identity ? $0 % count : Int(g.next() % UInt64(count)) }
    }

    /// The gauss path in `T` against the dense reference on the `T`-rounded scores.
    static func check<T: VectorScalar>(
        _: T.Type, count n: Int, temperature tau: Double, spread: Double, direction: SortDirection,
        batch: Int = 2, ties: Bool = false, identity: Bool = false, tolerance: Double
    ) {
        let raw = scores(batch: batch, count: n, spread: spread, seed: UInt64(n) &* 31 &+ UInt64(spread.exponent + 64), ties: ties)
        let input = raw.map { T($0) }, rounded = input.map { Double($0) }
        let t = targets(batch: batch, count: n, seed: 7, identity: identity)
        let expected = denseLoss(scores: rounded, targets: t, batch: batch, count: n, temperature: tau, direction: direction)
        let got = GaussEngine.crossEntropy(
            scores: input, targets: t, shape: BatchShape(batch: batch, count: n), temperature: tau,
            direction: direction, scheduler: BatchScheduler(threads: 1))
        let label = "\(T.self) n = \(n) tau = \(tau) spread = \(spread) \(direction) ties = \(ties)"
        let lossError = abs(got.loss - expected.loss) / max(abs(expected.loss), 1)
        #expect(lossError <= tolerance, "loss \(got.loss) vs \(expected.loss): \(label)")
        let gradientError = relativeError(got.gradient, expected.gradient)
        #expect(gradientError <= tolerance, "gradient error \(gradientError): \(label)")
    }

    // MARK: The transform against direct sums, within the bound

    @Test(arguments: [1e-3, 0.3, 2.0, 30.0, 3000.0])
    func transformWithinBound(extent: Double) {
        var g = TestRandom(seed: UInt64(extent * 1000))
        for n in [1, 2, 7, 64, 257, 1500] {
            let v = (0..<n).map { _ in g.uniform(0, extent) }.sorted()
            let q = (0..<n).map { _ in g.uniform(-1, 1) }
            for accuracy in [1e-6, 1e-10, GaussEngine.defaultAccuracy] {
                let plan = GaussPlan.make(accuracy: accuracy, extent: v.last! - v.first!, count: n)
                let bound = plan.bound
                #expect(bound.value <= accuracy && bound.moment <= accuracy)
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: 8 * GaussCells.scratchWords(count: n), alignment: 8)
                defer { scratch.deallocate() }
                var g0 = [Double](repeating: .nan, count: n), g1 = [Double](repeating: .nan, count: n)
                v.withUnsafeBufferPointer { points in
                    q.withUnsafeBufferPointer { weights in
                        let cells = GaussCells(points: points.baseAddress!, count: n, plan: plan, scratch: scratch)
                        GaussTransform(plan: plan, points: points.baseAddress!, cells: cells)
                            .run(weights: weights.baseAddress!, sums: &g0, moments: &g1)
                    }
                }
                let mass = q.reduce(0) { $0 + abs($1) }
                let direct = directGaussSums(points: v, weights: q)
                for i in 0..<n {
                    let e0 = direct.g0[i], e1 = direct.g1[i]
                    // The bound, plus rounding (a few ulps per term).
                    let slack = 1e-14 * mass
                    #expect(abs(g0[i] - e0) <= bound.value * mass + slack, "G0 n = \(n) extent = \(extent) eps = \(accuracy)")
                    #expect(abs(g1[i] - e1) <= bound.moment * mass + slack, "G1 n = \(n) extent = \(extent) eps = \(accuracy)")
                }
            }
        }
    }

    // MARK: The loss against the dense reference

    @Test(arguments: [1, 2, 7, 64, 257])
    func lossAcrossTemperaturesAndSpreads(count: Int) {
        for tau in [1e-5, 1e-2, 1, 1e2, 1e5] {
            for spread in [1e-3, 1, 1e3, 1e6] {
                for direction in [SortDirection.descending, .ascending] {
                    Self.check(Double.self, count: count, temperature: tau, spread: spread, direction: direction, tolerance: 1e-9)
                    Self.check(Float.self, count: count, temperature: tau, spread: spread, direction: direction, tolerance: 1e-6)
                }
            }
        }
    }

    @Test func largeRowsAndTies() {
        for (tau, spread) in [(1e-5, 1e-3), (1.0, 1.0), (1e-2, 1e3), (1e5, 1e6), (1.0, 1e6), (1e5, 1e-3)] {
            Self.check(Float.self, count: 2000, temperature: tau, spread: spread, direction: .descending, batch: 1, tolerance: 1e-6)
            Self.check(Double.self, count: 2000, temperature: tau, spread: spread, direction: .ascending, batch: 1, identity: true, tolerance: 1e-9)
        }
        for tau in [1e-5, 1, 1e5] {
            Self.check(Double.self, count: 257, temperature: tau, spread: 2, direction: .descending, ties: true, tolerance: 1e-9)
            Self.check(Float.self, count: 64, temperature: tau, spread: 2, direction: .ascending, ties: true, tolerance: 1e-6)
        }
    }

    /// The dense reference itself against the library's dense reference backward (`dL/dP = -1/P` at the targets).
    @Test func referenceAgreesWithAutogradReference() {
        let n = 7, tau = 0.7
        let s = Self.scores(batch: 1, count: n, spread: 3, seed: 3)
        let t = Self.targets(batch: 1, count: n, seed: 4, identity: false)
        let p = Reference.softSort(scores: s, batch: 1, count: n, temperature: tau, power: 2)
        var dP = [Double](repeating: 0, count: n * n)
        for i in 0..<n { dP[i * n + t[i]] = -1 / p[i * n + t[i]] }
        let autograd = Reference.softSortBackward(scores: s, batch: 1, count: n, temperature: tau, power: 2, gradient: dP)
        let dense = Self.denseLoss(scores: s, targets: t, batch: 1, count: n, temperature: tau, direction: .descending)
        #expect(maxAbsDifference(dense.gradient, autograd) <= 1e-10 * max(1, maxAbs(autograd)))
        let loss = (0..<n).reduce(0.0) { $0 - log(p[$1 * n + t[$1]]) }
        #expect(abs(dense.loss - loss) <= 1e-10 * abs(loss))
    }

    // MARK: Determinism

    @Test func bitwiseEqualForEveryThreadCount() {
        let batch = 6, n = 1000
        let input = Self.scores(batch: batch, count: n, spread: 20, seed: 11).map { Float($0) }
        let t = Self.targets(batch: batch, count: n, seed: 12, identity: false)
        let runs = [1, 2, 3, 8].map { threads in
            GaussEngine.crossEntropy(
                scores: input, targets: t, shape: BatchShape(batch: batch, count: n), temperature: 0.5,
                direction: .descending, scheduler: BatchScheduler(threads: threads))
        }
        for run in runs.dropFirst() {
            #expect(run.loss.bitPattern == runs[0].loss.bitPattern)
            #expect(run.gradient.map(\.bitPattern) == runs[0].gradient.map(\.bitPattern))
        }
    }
}
