import Testing
@testable import SoftSortKit

/// The `.gauss` cross-entropy with a reused `LossWorkspace`: the same bits as
/// fresh buffers across shapes, precisions, paths and thread counts, and the
/// gradient's storage shared with the workspace as `LossWorkspace` documents.
@Suite("Gauss loss workspace")
struct GaussLossWorkspaceTests {
    /// Distinct scores of `spread` around 0, and random target columns.
    static func input(batch: Int, count n: Int, spread: Double, seed: UInt64) -> (scores: [Double], targets: [Int]) {
        var g = TestRandom(seed: seed)
        let scores = (0..<batch).flatMap { _ in g.distinct(n, spread: spread).map { $0 - spread / 2 } }
        let targets = (0..<batch * n).map { _ in Int(g.next() % UInt64(max(n, 1))) }
        return (scores, targets)
    }

    /// The bits of one value: sign, exponent and significand fields.
    static func bits<T: SoftSortScalar>(_ x: T) -> UInt64 {
        UInt64(x.sign == .minus ? 1 : 0) << 63 | UInt64(x.exponentBitPattern) << 52 | UInt64(x.significandBitPattern)
    }

    /// The loss's bits followed by the gradient's.
    static func bits<T: SoftSortScalar>(_ loss: Loss<T>) -> [UInt64] {
        [bits(loss.value)] + loss.gradient.map { bits($0) }
    }

    /// The address of an array's first element (nil when empty).
    static func address<T>(_ array: [T]) -> UInt? {
        array.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
    }

    /// Shapes in an order that grows, shrinks and comes back; B n = 4900 runs
    /// the rows on several threads.
    static let shapes = [(7, 700), (1, 5000), (2, 33), (7, 700), (3, 1), (0, 5), (4, 0), (1, 5000), (2, 33)]

    func reuse<T: SoftSortScalar>(_ type: T.Type, threads: Int, spread: Double) throws {
        let op = SoftSort(temperature: 0.05, power: 2, threads: threads)
        try LossWorkspaceSharing.reuse(op, path: .gauss, type, shapes: Self.shapes, spread: spread, seed: 3) {
            try op.crossEntropy(scores: $0, targets: $1, batch: $2, count: $3, path: .gauss)
        }
    }

    @Test("A reused workspace gives a fresh call's bits across shapes, Float and Double, 1 and 3 threads")
    func reuseAcrossShapes() throws {
        for threads in [1, 3] {
            try reuse(Float.self, threads: threads, spread: 4)
            try reuse(Double.self, threads: threads, spread: 4)
        }
    }

    @Test("Huge Double scores (rescaled into the workspace) give a fresh call's bits")
    func reuseWithRescaledScores() throws {
        try reuse(Double.self, threads: 2, spread: 1e300)
    }

    @Test("Bitwise identical for 1, 2, 3 and 7 threads, with a fresh or a reused workspace")
    func threadCounts() throws {
        for (batch, n) in [(7, 700), (3, 2000), (1, 6000)] {
            let (raw, targets) = Self.input(batch: batch, count: n, spread: 20, seed: UInt64(n))
            func runs<T: SoftSortScalar>(_: T.Type) throws -> [[UInt64]] {
                let scores = raw.map { T($0) }, workspace = LossWorkspace<T>()
                return try [1, 2, 3, 7].flatMap { threads in
                    let op = SoftSort(temperature: 0.5, power: 2, threads: threads)
                    return try [nil, workspace, workspace].map { workspace in
                        Self.bits(try op.crossEntropy(
                            scores: scores, targets: targets, batch: batch, count: n, path: .gauss, workspace: workspace))
                    }
                }
            }
            for result in [try runs(Float.self), try runs(Double.self)] {
                for (index, run) in result.enumerated() {
                    #expect(run == result[0], "B = \(batch) n = \(n): run \(index) differs from one thread, no workspace")
                }
            }
        }
    }

    @Test("The gradient shares the workspace's storage; a kept Loss is copied, never overwritten")
    func gradientStorage() throws {
        let op = SoftSort(temperature: 0.1, power: 2, threads: 2)
        try LossWorkspaceSharing.check(op, path: .gauss, batch: 4, count: 1500, seed: 40) { workspace in
            [workspace.rowScratch.address]
        }
    }

    @Test("forEachSlot: every item once, slots below maximumSlots", arguments: [1, 2, 3, 7])
    func schedulerSlots(threads: Int) {
        let scheduler = BatchScheduler(threads: threads)
        for items in [1, 2, 5, 40] {
            var slots = [Int](repeating: -1, count: items)
            slots.withUnsafeMutableBufferPointer { slots in
                let transfer = UnsafeTransfer(slots)
                // Work above the serial threshold, so the ranges really split.
                scheduler.forEachSlot(items: items, work: 1 << 30) { slot, range in
                    for item in range { transfer.value[item] = slot }
                }
            }
            #expect(slots.allSatisfy { $0 >= 0 && $0 < scheduler.maximumSlots(items: items) })
            #expect(scheduler.maximumSlots(items: items) == min(items, threads))
        }
    }

    @Test("GaussRelaxedPermutation.crossEntropy with a workspace: the same bits as without")
    func relaxedPermutationCrossEntropy() throws {
        let workspace = LossWorkspace<Double>()
        for (batch, n) in [(3, 400), (1, 50), (3, 400)] {
            let (scores, targets) = Self.input(batch: batch, count: n, spread: 2, seed: UInt64(batch * n))
            let result = try GaussSoftSort(temperature: 0.2, threads: 2).forward(scores: scores, batch: batch, count: n)
            let fresh = try result.crossEntropy(targets: targets)
            let reused = try result.crossEntropy(targets: targets, workspace: workspace)
            #expect(Self.bits(reused) == Self.bits(fresh))
        }
    }
}
