import Synchronization

/// Buffers a training loop reuses across calls, so that a forward, an output
/// and its backward allocate nothing in the steady state on the paths that
/// allow it (`.fused`, `.exact` and `.gauss` losses, the exact and gauss
/// outputs' state and scratch, the dense matrices).
///
/// Pass the same workspace to every `forward` of a loop. An output and the
/// gradient of its backward share the workspace's storage until the next call
/// writes it: let them go first (declare them inside the loop body), or that
/// call copies them (correct, but it allocates). A workspace serves one call
/// at a time: give each concurrent loop its own. Misuse is detected, not
/// undefined: every output and backward that uses a workspace holds it for
/// the call (an atomic flag, one compare-and-exchange and one store per call),
/// and a call that finds it held by another throws
/// `SoftSortError.workspaceInUse` without touching its buffers.
///
/// What it keeps: the dense path's `B x n x n` matrices (held until the
/// workspace goes); the gauss path's `O(B n)` state and one row's scratch per
/// thread (about `15 n + 17 100` words of 8 bytes each); the exact path's scan
/// state (`4 B n` elements; a loss call's `B n` indices too) and per thread
/// the largest scratch its sort, scans and backward asked for (a lane
/// block's rows times `O(n d)` elements for `d` columns of values; untouched
/// lanes' pages are never mapped). A call with another shape resizes what it
/// uses; its results are the same bits as with a fresh workspace.
///
/// ```swift
/// let softSort = SoftSort(temperature: 0.1)
/// let workspace = Workspace<Float>()
/// for _ in 0..<steps {
///     let loss = try softSort.forward(scores: scores, batch: b, count: n, workspace: workspace)
///         .crossEntropy(targets: targets)
///     // ... update scores with loss.gradient ...
/// }
/// ```
public final class Workspace<T: SoftSortScalar>: @unchecked Sendable {
    // @unchecked: mutable state, documented as one workspace per loop; the
    // scheduler's threads write disjoint parts of these buffers within a call.
    /// The dense path's forward and backward buffers.
    let dense = DenseBuffers<T>()
    /// The losses' buffers (fused, exact and gauss) and the exact scan state.
    let loss = LossBuffers<T>()
    /// The gauss path's state, products and gradients.
    let gauss = GaussBuffers<T>()
    /// Whether a call holds the buffers now (`holding(_:_:)`).
    private let inUse = Atomic<Bool>(false)

    /// Creates an empty workspace; buffers grow on first use.
    ///
    /// - Complexity: O(1).
    public init() {}
}

extension Workspace {
    /// Runs `body` holding the workspace: a call that finds it held throws
    /// `workspaceInUse` and touches nothing.
    func holding<R>(_ body: () throws(SoftSortError) -> R) throws(SoftSortError) -> R {
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw .workspaceInUse
        }
        defer { inUse.store(false, ordering: .releasing) }
        return try body()
    }
}

/// Runs `body` holding `workspace` when there is one (`Workspace.holding`),
/// as one checked call: a failed scratch allocation inside it throws
/// `insufficientMemory` (`AllocationFailures.checking`).
func holding<T: SoftSortScalar, R>(
    _ workspace: Workspace<T>?, _ body: () throws(SoftSortError) -> R
) throws(SoftSortError) -> R {
    guard let workspace else { return try AllocationFailures.checking(body) }
    return try workspace.holding { () throws(SoftSortError) -> R in try AllocationFailures.checking(body) }
}
