import Foundation
import Testing
@testable import SoftSortKit
#if arch(x86_64)
import CSimd
#endif

/// The short-row cross-entropy (`ShortRowLossEngine`: lanes across batch
/// rows, rows up to `ShortRowLossKernels.maximumCount`) on the `.fused`
/// path, every backend, against the `Double` reference, with the tolerances
/// of `FusedLossTests.check`: row lengths and batch sizes around the tile
/// edges (8 `Float` and 4 `Double` lanes), ties, extreme temperatures, huge
/// scores, and the same bits for every thread count.
@Suite("Short-row losses")
struct ShortRowLossTests {
    static let sizes = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64]
    /// Full blocks, partial ones and a lone row.
    static let batches = [1, 4, 9, 17]

    /// Runs the fused cross-entropy on `backend` in `Double` and `Float` and
    /// checks both against the reference.
    static func check(
        _ s: [Double], targets t: [Int], batch: Int, count n: Int, temperature tau: Double, power: Double,
        direction: SortDirection, backend: Backend, logitSize zMax: Double, _ label: String
    ) throws {
        let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
        let reference = Reference.softSortCrossEntropy(
            scores: s, targets: t, batch: batch, count: n, temperature: tau, power: power, direction: direction)
        let double = try op.forward(scores: s, batch: batch, count: n, path: .fused).crossEntropy(targets: t)
        FusedLossTests.check(double, reference, count: n, batch: batch, logitSize: zMax, "\(label) Double")
        let sFloat = s.map { Float($0) }
        let referenceFloat = Reference.softSortCrossEntropy(
            scores: sFloat.map { Double($0) }, targets: t, batch: batch, count: n, temperature: tau, power: power,
            direction: direction)
        let float = try op.forward(scores: sFloat, batch: batch, count: n, path: .fused).crossEntropy(targets: t)
        FusedLossTests.check(float, referenceFloat, count: n, batch: batch, logitSize: zMax, "\(label) Float")
        // The requested backend ran (the C kernels: Float, p = 1 and 2).
        #expect(double.backend == FusedLossTests.lossBackend(backend, Double.self, power: power), "\(label)")
        #expect(float.backend == FusedLossTests.lossBackend(backend, Float.self, power: power), "\(label)")
        #expect(double.path == .fused && float.path == .fused)
    }

    @Test("Tile edges of n and B, both directions, against the reference", arguments: sizes)
    func tileEdges(count n: Int) throws {
        for batch in Self.batches {
            for power in [1.0, 2.0, 1.5] {
                for direction in [SortDirection.descending, .ascending] {
                    let seed = UInt64(n * 131 + batch * 7) &+ UInt64(power * 4)
                    let s = FusedLossTests.scores(batch: batch, count: n, seed: seed)
                    let t = FusedLossTests.targets(batch: batch, count: n, seed: seed &+ 1)
                    for backend in Backend.available {
                        try Self.check(
                            s, targets: t, batch: batch, count: n, temperature: 0.3, power: power, direction: direction,
                            backend: backend,
                            logitSize: FusedLossTests.softSortLogitSize(temperature: 0.3, power: power),
                            "n \(n) B \(batch) p \(power) \(direction) \(backend)")
                    }
                }
            }
        }
    }

    @Test("Extreme temperatures, ties, huge scores and repeated targets", arguments: [3, 8, 17, 32])
    func extremes(count n: Int) throws {
        let batch = 9
        var random = TestRandom(seed: UInt64(n))
        // Ties: values on a coarse grid (many equal within a row), -0 and +0 included.
        var ties = (0..<batch * n).map { _ in Double(Int(random.uniform(-3, 3))) / 2 }
        ties[0] = -0.0
        ties[min(1, ties.count - 1)] = 0.0
        let distinct = FusedLossTests.scores(batch: batch, count: n, seed: UInt64(n) &+ 99)
        // Any target in range, repeats allowed.
        let repeated = (0..<batch * n).map { _ in Int(random.next() % UInt64(n)) }
        for backend in Backend.available {
            for power in [1.0, 2.0] {
                for tau in [1e-4, 1e3] {
                    try Self.check(
                        distinct, targets: repeated, batch: batch, count: n, temperature: tau, power: power,
                        direction: .descending, backend: backend,
                        logitSize: FusedLossTests.softSortLogitSize(temperature: tau, power: power),
                        "extreme tau \(tau) n \(n) p \(power) \(backend)")
                }
                for direction in [SortDirection.descending, .ascending] {
                    try Self.check(
                        ties, targets: repeated, batch: batch, count: n, temperature: 0.5, power: power,
                        direction: direction, backend: backend, logitSize: pow(3, power) / 0.5,
                        "ties n \(n) p \(power) \(direction) \(backend)")
                }
                // Scores of size 1e6 at tau = 1e-2: P one-hot, the loss the reference's.
                let huge = distinct.map { $0 * 1e6 }
                let reference = Reference.softSortCrossEntropy(
                    scores: huge, targets: repeated, batch: batch, count: n, temperature: 1e-2, power: power)
                let loss = try SoftSort(temperature: 1e-2, power: power, backend: backend)
                    .forward(scores: huge, batch: batch, count: n, path: .fused).crossEntropy(targets: repeated)
                #expect(loss.value.isFinite && loss.gradient.allSatisfy(\.isFinite), "huge n \(n) p \(power) \(backend)")
                #expect(abs(loss.value - reference.loss) <= 1e-12 * max(1, reference.loss), "huge n \(n) p \(power) \(backend)")
            }
        }
    }

    @Test("Bitwise identical for 1, 2 and 5 threads and a reused workspace")
    func threadCounts() throws {
        // B n^2 = 2^18 at n = 16: at the scheduler's serial threshold, so the blocks really split.
        for (batch, n) in [(1027, 16), (301, 33)] {
            let s = FusedLossTests.scores(batch: batch, count: n, seed: UInt64(n))
            let t = FusedLossTests.targets(batch: batch, count: n, seed: 3)
            for backend in Backend.available {
                for power in [1.0, 2.0] {
                    func run<T: SoftSortScalar>(_ scores: [T], threads: Int, workspace: Workspace<T>?) throws -> [T] {
                        let loss = try SoftSort(temperature: 0.2, power: power, backend: backend, threads: threads)
                            .forward(scores: scores, batch: batch, count: n, path: .fused, workspace: workspace)
                            .crossEntropy(targets: t)
                        return [loss.value] + loss.gradient
                    }
                    let sFloat = s.map { Float($0) }
                    let float = try run(sFloat, threads: 1, workspace: nil)
                    let double = try run(s, threads: 1, workspace: nil)
                    let floatWorkspace = Workspace<Float>(), doubleWorkspace = Workspace<Double>()
                    for threads in [2, 5] {
                        for _ in 0..<2 {
                            #expect(try run(sFloat, threads: threads, workspace: floatWorkspace) == float, "\(backend) p \(power)")
                            #expect(try run(s, threads: threads, workspace: doubleWorkspace) == double, "\(backend) p \(power)")
                        }
                    }
                }
            }
        }
    }

    @Test("The C kernel's row limit is the Swift one")
    func limits() {
        #if arch(x86_64)
        #expect(Int(CSIMD_SOFTSORT_LOSS_ROWS_MAX_COUNT) == ShortRowLossKernels.maximumCount)
        #expect(csimd_f32_softsort_loss_rows_scratch_count(17) == ShortRowLossKernels.scratchCount(Float.self, count: 17))
        #endif
    }
}
