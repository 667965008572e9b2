import Foundation
import Testing
@testable import SoftSortKit

/// The losses on `P` (`crossEntropy(targets:)` of SoftSort and NeuralSort,
/// `nearestNeighborLoss(matches:k:)` of SoftSort) on the `.fused` and `.dense` paths, every
/// backend, `Float` and `Double`, against the `Double` reference in
/// `Support/LossReference.swift`.
///
/// Tolerances, from the size of what is summed: a loss is a sum of `B n`
/// row terms whose parts are logits of size up to `zMax` (the largest
/// `|z_ij|`, `range^p / tau` for SoftSort), so `|dL| <= c eps B n (1 + zMax)`;
/// a gradient entry sums `n` terms each at most `gMax = max |dL/ds|`-sized
/// (the one-hot parts are the largest), so `|dg| <= c eps n (1 + gMax)`.
/// `Double` takes `c eps = 1e-13` for the loss and `2e-15` (9 ulp) for the
/// gradient; `Float` (against the reference on the `Float`-rounded scores)
/// `1e-6` and `1e-7` (2 ulp), its gradient also carrying the relative error
/// `zMax eps` of a rounded logit through `P` (`exp` flushes below -66.5, so
/// at most 70). Measured: every error below 0.1 of its tolerance.
@Suite("Fused losses")
struct FusedLossTests {
    static let sizes = [1, 2, 7, 8, 9, 63, 64, 65, 257]
    static let temperatures = [1e-4, 1e-2, 1.0, 1e3]
    static let directions: [SortDirection] = [.descending, .ascending]

    /// Tie-free rows in `[-1, 1)`.
    static func scores(batch: Int, count: Int, seed: UInt64) -> [Double] {
        var random = TestRandom(seed: seed)
        return (0..<batch).flatMap { _ in random.distinct(count, spread: 2).map { $0 - 1 } }
    }

    static func targets(batch: Int, count: Int, seed: UInt64) -> [Int] {
        var random = TestRandom(seed: seed)
        return (0..<batch).flatMap { _ in random.permutation(count) }
    }

    static func batch(for count: Int) -> Int { count > 100 ? 1 : 3 }

    /// Every temperature for the small sizes; the two extremes for the
    /// largest (its `Double` reference dominates a debug run).
    static func temperatures(count: Int) -> [Double] { count > 100 ? [1e-4, 1e3] : temperatures }

    /// Both directions for the small sizes; one per temperature for the largest.
    static func directions(count: Int, temperature: Double) -> [SortDirection] {
        count > 100 ? [temperature < 1 ? .descending : .ascending] : directions
    }

    /// Whether `Float` has the C fused-loss kernels in this build.
    static let floatLossHasCKernels = true

    /// The reported backend when `backend` is asked for: the C loss kernels
    /// are the SoftSort cross-entropy for `Float` at `p = 1` and `p = 2` and the NeuralSort one.
    static func lossBackend<T>(_ backend: Backend, _: T.Type, power: Double?, kNN: Bool = false) -> Backend {
        guard backend == .avx2 else { return backend }
        // The C table: the SoftSort cross-entropy at p = 1, 2 and the NeuralSort one (power nil).
        let c = floatLossHasCKernels && T.self == Float.self && !kNN && (power == nil || power == 1 || power == 2)
        return c ? .avx2 : .simd
    }

    /// What the dense path reports (the dense kernels: C for `Float`, `p` 1 or 2, and NeuralSort).
    static func denseBackend<T>(_ backend: Backend, _: T.Type, power: Double?) -> Backend {
        guard backend == .avx2 else { return backend }
        return T.self == Float.self && (power == nil || power == 1 || power == 2) ? .avx2 : .simd
    }

    /// Checks `loss` against the reference within the stated tolerances.
    static func check<T: SoftSortScalar>(
        _ loss: Loss<T>, _ reference: (loss: Double, gradient: [Double]), count n: Int, batch: Int,
        logitSize zMax: Double, _ label: String
    ) {
        let floatType = T.self == Float.self
        let gMax = maxAbs(reference.gradient)
        let lossTolerance = (floatType ? 1e-6 : 1e-13) * Double(batch * n) * (1 + zMax)
        let gradientTolerance = floatType
            ? 1e-7 * Double(n) * (1 + gMax) * (1 + min(zMax, 70))
            : 2e-15 * Double(n) * (1 + gMax)
        let lossError = abs(Double(loss.value) - reference.loss)
        let gradientError = maxAbsDifference(loss.gradient.map { Double($0) }, reference.gradient)
        #expect(lossError <= lossTolerance, "\(label): loss \(loss.value) vs \(reference.loss), error \(lossError) > \(lossTolerance)")
        #expect(gradientError <= gradientTolerance, "\(label): gradient error \(gradientError) > \(gradientTolerance)")
    }

    /// `range^p / tau`, SoftSort's largest `|z|` for scores in `[-1, 1)`.
    static func softSortLogitSize(temperature: Double, power: Double) -> Double { pow(2, power) / temperature }

    // MARK: SoftSort cross-entropy

    @Test("SoftSort cross-entropy, fused and dense, against the reference", arguments: sizes)
    func softSortCrossEntropy(count n: Int) throws {
        let batch = Self.batch(for: n)
        for power in [1.0, 2.0, 1.5] {
            for tau in Self.temperatures(count: n) {
                for direction in Self.directions(count: n, temperature: tau) {
                    let s = Self.scores(batch: batch, count: n, seed: UInt64(n) &* 31 &+ UInt64(power * 4))
                    let t = Self.targets(batch: batch, count: n, seed: UInt64(n) &+ 7)
                    let reference = Reference.softSortCrossEntropy(
                        scores: s, targets: t, batch: batch, count: n, temperature: tau, power: power, direction: direction)
                    let sFloat = s.map { Float($0) }
                    let referenceFloat = Reference.softSortCrossEntropy(
                        scores: sFloat.map { Double($0) }, targets: t, batch: batch, count: n, temperature: tau,
                        power: power, direction: direction)
                    let zMax = Self.softSortLogitSize(temperature: tau, power: power)
                    for backend in Backend.available {
                        let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                        let label = "n \(n) p \(power) tau \(tau) \(direction) \(backend)"
                        for path in [SoftSortPath.fused, .dense] where path == .fused || n <= 65 {
                            let double = try op.forward(scores: s, batch: batch, count: n, path: path)
                                .crossEntropy(targets: t)
                            Self.check(double, reference, count: n, batch: batch, logitSize: zMax, "\(label) \(path) Double")
                            let float = try op.forward(scores: sFloat, batch: batch, count: n, path: path)
                                .crossEntropy(targets: t)
                            Self.check(float, referenceFloat, count: n, batch: batch, logitSize: zMax, "\(label) \(path) Float")
                            #expect(double.path == path && float.path == path)
                            let expected = path == .fused
                                ? (Self.lossBackend(backend, Double.self, power: power), Self.lossBackend(backend, Float.self, power: power))
                                : (Self.denseBackend(backend, Double.self, power: power), Self.denseBackend(backend, Float.self, power: power))
                            #expect(double.backend == expected.0 && float.backend == expected.1, "\(label) \(path)")
                        }
                    }
                }
            }
        }
    }

    // MARK: NeuralSort cross-entropy

    @Test("NeuralSort cross-entropy, fused and dense, against the reference", arguments: sizes)
    func neuralSortCrossEntropy(count n: Int) throws {
        let batch = Self.batch(for: n)
        for tau in Self.temperatures(count: n) {
            for direction in Self.directions(count: n, temperature: tau) {
                let s = Self.scores(batch: batch, count: n, seed: UInt64(n) &* 17)
                let t = Self.targets(batch: batch, count: n, seed: UInt64(n) &+ 3)
                let reference = Reference.neuralSortCrossEntropy(
                    scores: s, targets: t, batch: batch, count: n, temperature: tau, direction: direction)
                let sFloat = s.map { Float($0) }
                let referenceFloat = Reference.neuralSortCrossEntropy(
                    scores: sFloat.map { Double($0) }, targets: t, batch: batch, count: n, temperature: tau,
                    direction: direction)
                // |z| <= ((n - 1) max|s| + max_j sum_k |s_j - s_k|) / tau <= 3 n / tau.
                let zMax = 3 * Double(n) / tau
                for backend in Backend.available {
                    let op = NeuralSort(temperature: tau, direction: direction, backend: backend)
                    let label = "n \(n) tau \(tau) \(direction) \(backend)"
                    for path in [SoftSortPath.fused, .dense] where path == .fused || n <= 65 {
                        let double = try op.forward(scores: s, batch: batch, count: n, path: path)
                            .crossEntropy(targets: t)
                        Self.check(double, reference, count: n, batch: batch, logitSize: zMax, "\(label) \(path) Double")
                        let float = try op.forward(scores: sFloat, batch: batch, count: n, path: path)
                            .crossEntropy(targets: t)
                        Self.check(float, referenceFloat, count: n, batch: batch, logitSize: zMax, "\(label) \(path) Float")
                        #expect(double.path == path && float.path == path)
                        let expected = path == .fused
                            ? (Self.lossBackend(backend, Double.self, power: nil), Self.lossBackend(backend, Float.self, power: nil))
                            : (Self.denseBackend(backend, Double.self, power: nil), Self.denseBackend(backend, Float.self, power: nil))
                        #expect(double.backend == expected.0 && float.backend == expected.1, "\(label) \(path)")
                    }
                }
            }
        }
    }

    // MARK: kNN

    @Test("SoftSort kNN loss, fused and dense, against the reference", arguments: [1, 8, 9, 65])
    func nearestNeighbors(count n: Int) throws {
        let batch = 3
        for power in [1.0, 2.0, 1.5] {
            for tau in [1e-2, 1.0] {
                for k in Set([1, min(4, n), n]) {
                    let s = Self.scores(batch: batch, count: n, seed: UInt64(n) &+ 99)
                    let y = (0..<batch * n).map { Double(($0 * 7) % 3 == 0 ? 1 : 0) }
                    let reference = Reference.softSortNearestNeighbors(
                        scores: s, matches: y, k: k, batch: batch, count: n, temperature: tau, power: power)
                    let referenceFloat = Reference.softSortNearestNeighbors(
                        scores: s.map { Double(Float($0)) }, matches: y, k: k, batch: batch, count: n,
                        temperature: tau, power: power)
                    let zMax = Self.softSortLogitSize(temperature: tau, power: power)
                    for backend in Backend.available {
                        let op = SoftSort(temperature: tau, power: power, backend: backend)
                        for path in [SoftSortPath.fused, .dense] {
                            let label = "kNN n \(n) k \(k) p \(power) tau \(tau) \(backend) \(path)"
                            let double = try op.forward(scores: s, batch: batch, count: n, path: path)
                                .nearestNeighborLoss(matches: y, k: k)
                            Self.check(double, reference, count: n, batch: batch, logitSize: zMax, label)
                            let float = try op.forward(scores: s.map { Float($0) }, batch: batch, count: n, path: path)
                                .nearestNeighborLoss(matches: y.map { Float($0) }, k: k)
                            Self.check(float, referenceFloat, count: n, batch: batch, logitSize: zMax, label)
                            if path == .fused {
                                #expect(float.backend == Self.lossBackend(backend, Float.self, power: power, kNN: true))
                            }
                        }
                    }
                    // The exact p = 1 path gives the same loss.
                    if power == 1 {
                        let exact = try SoftSort(temperature: tau).forward(scores: s, batch: batch, count: n, path: .exact)
                            .nearestNeighborLoss(matches: y, k: k)
                        #expect(exact.path == .exact)
                        Self.check(exact, reference, count: n, batch: batch, logitSize: zMax, "kNN exact n \(n) k \(k)")
                    }
                }
            }
        }
    }
}
