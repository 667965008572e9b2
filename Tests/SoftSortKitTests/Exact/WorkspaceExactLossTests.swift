import Testing
@testable import SoftSortKit

/// The `.exact` cross-entropy with a reused `Workspace`: the bits of a call
/// without one (its own buffers) across shapes, precisions, directions and
/// thread counts, and the workspace's buffers kept between calls as
/// `Workspace` documents.
@Suite("Workspace: the exact loss")
struct WorkspaceExactLossTests {
    typealias Sharing = WorkspaceSharing

    /// Shapes that grow, shrink and come back: rows below and above the radix
    /// sort's minimum, batches of full and partial SIMD lane blocks.
    static let shapes = [(9, 300), (1, 5000), (2, 33), (9, 300), (3, 1), (0, 5), (4, 0), (1, 5000), (17, 97)]

    func reuse<T: SoftSortScalar>(_ type: T.Type, threads: Int, spread: Double, direction: SortDirection) throws {
        let op = SoftSort(temperature: 0.05, power: 1, direction: direction, threads: threads)
        try Sharing.reuse(op, path: .exact, type, shapes: Self.shapes, spread: spread, seed: 11) {
            try op.forward(scores: $0, batch: $2, count: $3, path: .exact).crossEntropy(targets: $1)
        }
    }

    @Test("A reused workspace gives the bits of a call without one across shapes, Float and Double, 1 and 3 threads, both directions")
    func reuseAcrossShapes() throws {
        for threads in [1, 3] {
            for direction in [SortDirection.descending, .ascending] {
                try reuse(Float.self, threads: threads, spread: 4, direction: direction)
                try reuse(Double.self, threads: threads, spread: 4, direction: direction)
            }
        }
    }

    @Test("Huge scores (rescaled, the gradient divided in the workspace) give the bits of a call without one")
    func reuseWithRescaledScores() throws {
        try reuse(Double.self, threads: 2, spread: 1e300, direction: .descending)
        try reuse(Float.self, threads: 2, spread: 3e38, direction: .ascending)
    }

    @Test("The state, order, scratch and gradient are kept; a kept Loss is copied, never overwritten")
    func buffersKept() throws {
        let batch = 9, n = 700
        let op = SoftSort(temperature: 0.1, power: 1, threads: 2)
        try Sharing.check(op, path: .exact, batch: batch, count: n, seed: 41) { workspace in
            [workspace.loss.rowScratch.address, Sharing.address(workspace.loss.order),
             workspace.loss.exactStorage.map { UInt(bitPattern: $0.base) }]
        }
        // A state storage someone else holds is never written: the call takes a new one.
        let (raw, targets) = Sharing.input(batch: batch, count: n, spread: 3, seed: 41)
        let scores = raw.map { Float($0) }, other = raw.reversed().map { Float($0) }
        let workspace = Workspace<Float>()
        _ = try Sharing.crossEntropy(
            op, path: .exact, scores: scores, targets: targets, batch: batch, count: n, workspace: workspace)
        let held = workspace.loss.exactStorage
        let again = try Sharing.crossEntropy(
            op, path: .exact, scores: other, targets: targets, batch: batch, count: n, workspace: workspace)
        #expect(held != nil && workspace.loss.exactStorage !== held)
        #expect((workspace.loss.exactStorage?.count ?? 0) >= 4 * batch * n)
        let fresh = try Sharing.crossEntropy(op, path: .exact, scores: other, targets: targets, batch: batch, count: n)
        #expect(Sharing.bits(again) == Sharing.bits(fresh))
    }
}
