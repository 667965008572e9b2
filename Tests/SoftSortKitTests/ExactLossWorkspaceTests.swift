import Testing
@testable import SoftSortKit

/// The `.exact` cross-entropy with a reused `LossWorkspace`: the bits of the
/// result route (`ExactSoftSort.forward` then `crossEntropy(targets:)`, its
/// own buffers) across shapes, precisions, directions and thread counts, and
/// the workspace's buffers kept between calls as `LossWorkspace` documents.
@Suite("Exact loss workspace")
struct ExactLossWorkspaceTests {
    typealias Helpers = GaussLossWorkspaceTests

    /// Shapes that grow, shrink and come back: rows below and above the radix
    /// sort's minimum, batches of full and partial SIMD lane blocks.
    static let shapes = [(9, 300), (1, 5000), (2, 33), (9, 300), (3, 1), (0, 5), (4, 0), (1, 5000), (17, 97)]

    func reuse<T: SoftSortScalar>(_: T.Type, threads: Int, spread: Double, direction: SortDirection) throws {
        let workspace = LossWorkspace<T>()
        for (index, (batch, n)) in Self.shapes.enumerated() {
            let (raw, targets) = Helpers.input(batch: batch, count: n, spread: spread, seed: UInt64(index + 11))
            let scores = raw.map { T($0) }
            let op = SoftSort(temperature: 0.05, power: 1, direction: direction, threads: threads)
            let routed = try ExactSoftSort(temperature: 0.05, direction: direction, threads: threads)
                .forward(scores: scores, batch: batch, count: n).crossEntropy(targets: targets)
            let reused = try op.crossEntropy(
                scores: scores, targets: targets, batch: batch, count: n, path: .exact, workspace: workspace)
            let label = "\(T.self) B = \(batch) n = \(n) threads = \(threads) \(direction)"
            #expect(reused.path == .exact && reused.backend == routed.backend, "\(label)")
            #expect(Helpers.bits(reused) == Helpers.bits(routed), "\(label)")
            // The fused path's buffers in the same workspace leave the next exact call's bits alone.
            if batch * n > 0 && n <= 100 {
                _ = try op.crossEntropy(
                    scores: scores, targets: targets, batch: batch, count: n, path: .fused, workspace: workspace)
            }
        }
    }

    @Test("A reused workspace gives the result route's bits across shapes, Float and Double, 1 and 3 threads, both directions")
    func reuseAcrossShapes() throws {
        for threads in [1, 3] {
            for direction in [SortDirection.descending, .ascending] {
                try reuse(Float.self, threads: threads, spread: 4, direction: direction)
                try reuse(Double.self, threads: threads, spread: 4, direction: direction)
            }
        }
    }

    @Test("Huge scores (rescaled, the gradient divided in the workspace) give the result route's bits")
    func reuseWithRescaledScores() throws {
        try reuse(Double.self, threads: 2, spread: 1e300, direction: .descending)
        try reuse(Float.self, threads: 2, spread: 3e38, direction: .ascending)
    }

    @Test("The state, order, scratch and gradient are kept; a kept Loss is copied, never overwritten")
    func buffersKept() throws {
        let batch = 9, n = 700
        let (raw, targets) = Helpers.input(batch: batch, count: n, spread: 3, seed: 41)
        let scores = raw.map { Float($0) }, other = raw.reversed().map { Float($0) }
        let op = SoftSort(temperature: 0.1, power: 1, threads: 2)
        let workspace = LossWorkspace<Float>()
        let firstAddress: UInt?, scratchAddress: UInt, orderAddress: UInt?, storageAddress: UInt?
        do {
            let loss = try op.crossEntropy(
                scores: scores, targets: targets, batch: batch, count: n, path: .exact, workspace: workspace)
            firstAddress = Helpers.address(loss.gradient)
            #expect(firstAddress != nil && firstAddress == Helpers.address(workspace.gradient))
            scratchAddress = workspace.rowScratch.address
            orderAddress = Helpers.address(workspace.order)
            storageAddress = workspace.exactStorage.map { UInt(bitPattern: $0.base) }
            #expect((workspace.exactStorage?.count ?? 0) >= 4 * batch * n)
        }
        #expect(scratchAddress != 0 && orderAddress != nil && storageAddress != nil)
        #expect(workspace.order.count == batch * n)
        // The previous Loss is gone: the next call writes the same buffers.
        let second = try op.crossEntropy(
            scores: other, targets: targets, batch: batch, count: n, path: .exact, workspace: workspace)
        #expect(Helpers.address(second.gradient) == firstAddress)
        #expect(workspace.rowScratch.address == scratchAddress)
        #expect(Helpers.address(workspace.order) == orderAddress)
        #expect(workspace.exactStorage.map { UInt(bitPattern: $0.base) } == storageAddress)
        // `second` is kept: the next call copies the workspace's gradient first.
        let kept = Helpers.bits(second)
        let third = try op.crossEntropy(
            scores: scores, targets: targets, batch: batch, count: n, path: .exact, workspace: workspace)
        #expect(Helpers.bits(second) == kept)
        #expect(Helpers.address(second.gradient) != Helpers.address(third.gradient))
        let fresh = try op.crossEntropy(scores: scores, targets: targets, batch: batch, count: n, path: .exact)
        #expect(Helpers.bits(third) == Helpers.bits(fresh))
        // A state storage someone else holds is never written: the call takes a new one.
        let held = workspace.exactStorage
        let fourth = try op.crossEntropy(
            scores: other, targets: targets, batch: batch, count: n, path: .exact, workspace: workspace)
        #expect(workspace.exactStorage !== held && held != nil)
        #expect(Helpers.bits(fourth) == kept)
    }
}
