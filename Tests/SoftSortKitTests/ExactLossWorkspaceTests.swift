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

    func reuse<T: SoftSortScalar>(_ type: T.Type, threads: Int, spread: Double, direction: SortDirection) throws {
        let op = SoftSort(temperature: 0.05, power: 1, direction: direction, threads: threads)
        let exact = ExactSoftSort(temperature: 0.05, direction: direction, threads: threads)
        try LossWorkspaceSharing.reuse(op, path: .exact, type, shapes: Self.shapes, spread: spread, seed: 11) {
            try exact.forward(scores: $0, batch: $2, count: $3).crossEntropy(targets: $1)
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
        let op = SoftSort(temperature: 0.1, power: 1, threads: 2)
        try LossWorkspaceSharing.check(op, path: .exact, batch: batch, count: n, seed: 41) { workspace in
            [workspace.rowScratch.address, Helpers.address(workspace.order),
             workspace.exactStorage.map { UInt(bitPattern: $0.base) }]
        }
        // A state storage someone else holds is never written: the call takes a new one.
        let (raw, targets) = Helpers.input(batch: batch, count: n, spread: 3, seed: 41)
        let scores = raw.map { Float($0) }, other = raw.reversed().map { Float($0) }
        let workspace = LossWorkspace<Float>()
        _ = try op.crossEntropy(scores: scores, targets: targets, batch: batch, count: n, path: .exact, workspace: workspace)
        let held = workspace.exactStorage
        let again = try op.crossEntropy(
            scores: other, targets: targets, batch: batch, count: n, path: .exact, workspace: workspace)
        #expect(held != nil && workspace.exactStorage !== held)
        #expect((workspace.exactStorage?.count ?? 0) >= 4 * batch * n)
        let fresh = try op.crossEntropy(scores: other, targets: targets, batch: batch, count: n, path: .exact)
        #expect(Helpers.bits(again) == Helpers.bits(fresh))
    }
}
