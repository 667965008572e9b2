import Testing
@testable import SoftSortKit

/// The `.gauss` cross-entropy with a reused `Workspace`: the same bits as
/// fresh buffers across shapes, precisions, paths and thread counts, and the
/// gradient's storage shared with the workspace as `Workspace` documents.
@Suite("Workspace: the gauss loss")
struct WorkspaceGaussLossTests {
    typealias Sharing = WorkspaceSharing

    /// Shapes in an order that grows, shrinks and comes back; B n = 4900 runs
    /// the rows on several threads.
    static let shapes = [(7, 700), (1, 5000), (2, 33), (7, 700), (3, 1), (0, 5), (4, 0), (1, 5000), (2, 33)]

    func reuse<T: SoftSortScalar>(_ type: T.Type, threads: Int, spread: Double) throws {
        let op = SoftSort(temperature: 0.05, power: 2, threads: threads)
        try Sharing.reuse(op, path: .gauss, type, shapes: Self.shapes, spread: spread, seed: 3) {
            try Sharing.crossEntropy(op, path: .gauss, scores: $0, targets: $1, batch: $2, count: $3)
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
            let (raw, targets) = Sharing.input(batch: batch, count: n, spread: 20, seed: UInt64(n))
            func runs<T: SoftSortScalar>(_: T.Type) throws -> [[UInt64]] {
                let scores = raw.map { T($0) }, workspace = Workspace<T>()
                return try [1, 2, 3, 7].flatMap { threads in
                    let op = SoftSort(temperature: 0.5, power: 2, threads: threads)
                    return try [nil, workspace, workspace].map { workspace in
                        Sharing.bits(try Sharing.crossEntropy(
                            op, path: .gauss, scores: scores, targets: targets, batch: batch, count: n, workspace: workspace))
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
        try Sharing.check(op, path: .gauss, batch: 4, count: 1500, seed: 40) { workspace in
            [workspace.loss.rowScratch.address]
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

    @Test("crossEntropy of a forward given a workspace: the same bits as without")
    func relaxedPermutationCrossEntropy() throws {
        let workspace = Workspace<Double>()
        for (batch, n) in [(3, 400), (1, 50), (3, 400)] {
            let (scores, targets) = Sharing.input(batch: batch, count: n, spread: 2, seed: UInt64(batch * n))
            let op = SoftSort(temperature: 0.2, power: 2, threads: 2)
            let fresh = try op.forward(scores: scores, batch: batch, count: n, path: .gauss).crossEntropy(targets: targets)
            let reused = try op.forward(scores: scores, batch: batch, count: n, path: .gauss, workspace: workspace)
                .crossEntropy(targets: targets)
            #expect(Sharing.bits(reused) == Sharing.bits(fresh))
        }
    }
}
