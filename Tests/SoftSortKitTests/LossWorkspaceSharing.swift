import Testing
@testable import SoftSortKit

/// The sharing rule `LossWorkspace` documents, checked on one loss path: the
/// returned gradient is the workspace's buffer, the next call writes the same
/// buffers once the previous `Loss` is gone, a kept `Loss` is copied rather
/// than overwritten, and the bits are a fresh call's.
enum LossWorkspaceSharing {
    typealias Helpers = GaussLossWorkspaceTests

    /// `kept(workspace)` lists the addresses of the path's own buffers, which
    /// must not change between two calls of the same shape.
    /// Scores of spread 3 from `seed`, then the same reversed.
    static func check(
        _ op: SoftSort, path: LossPath, batch: Int, count n: Int, seed: UInt64, kept: (LossWorkspace<Float>) -> [UInt?]
    ) throws {
        let (raw, targets) = Helpers.input(batch: batch, count: n, spread: 3, seed: seed)
        let scores = raw.map { Float($0) }, other = raw.reversed().map { Float($0) }
        let workspace = LossWorkspace<Float>()
        let firstAddress: UInt?, keptAddresses: [UInt?]
        do {
            let loss = try op.crossEntropy(
                scores: scores, targets: targets, batch: batch, count: n, path: path, workspace: workspace)
            firstAddress = Helpers.address(loss.gradient)
            #expect(firstAddress != nil && firstAddress == Helpers.address(workspace.gradient))
            keptAddresses = kept(workspace)
        }
        #expect(!keptAddresses.contains { $0 == nil || $0 == 0 })
        // The previous Loss is gone: the next call writes the same storage.
        let second = try op.crossEntropy(
            scores: other, targets: targets, batch: batch, count: n, path: path, workspace: workspace)
        #expect(Helpers.address(second.gradient) == firstAddress)
        #expect(kept(workspace) == keptAddresses)
        // `second` is kept: the next call copies the workspace's gradient first.
        let bits = Helpers.bits(second)
        let third = try op.crossEntropy(
            scores: scores, targets: targets, batch: batch, count: n, path: path, workspace: workspace)
        #expect(Helpers.bits(second) == bits)
        #expect(Helpers.address(second.gradient) != Helpers.address(third.gradient))
        let fresh = try op.crossEntropy(scores: scores, targets: targets, batch: batch, count: n, path: path)
        #expect(Helpers.bits(third) == Helpers.bits(fresh))
    }

    /// One workspace through `shapes` (growing, shrinking, coming back), each
    /// `path` call's bits against `reference` (the same loss without the
    /// workspace); a fused call in the same workspace between small shapes
    /// leaves the next call's bits alone.
    static func reuse<T: SoftSortScalar>(
        _ op: SoftSort, path: LossPath, _: T.Type, shapes: [(Int, Int)], spread: Double, seed: UInt64,
        reference: (_ scores: [T], _ targets: [Int], _ batch: Int, _ count: Int) throws -> Loss<T>
    ) throws {
        let workspace = LossWorkspace<T>()
        for (index, (batch, n)) in shapes.enumerated() {
            let (raw, targets) = Helpers.input(batch: batch, count: n, spread: spread, seed: seed + UInt64(index))
            let scores = raw.map { T($0) }
            let expected = try reference(scores, targets, batch, n)
            let reused = try op.crossEntropy(
                scores: scores, targets: targets, batch: batch, count: n, path: path, workspace: workspace)
            let label = "\(T.self) B = \(batch) n = \(n) threads = \(op.threads ?? 0) \(op.direction)"
            #expect(reused.path == path && reused.backend == expected.backend && reused.gradient.count == batch * n, "\(label)")
            #expect(Helpers.bits(reused) == Helpers.bits(expected), "\(label)")
            if batch * n > 0 && n <= 100 {
                _ = try op.crossEntropy(
                    scores: scores, targets: targets, batch: batch, count: n, path: .fused, workspace: workspace)
            }
        }
    }
}
