/// The losses' buffers of a `Workspace` (the fused, gauss and exact paths'
/// gradient, per-row losses and row scratch; the exact path's scan state), so
/// that a loss call allocates nothing in the steady state. The sharing rule,
/// and what each path keeps, are `Workspace`'s.
final class LossBuffers<T: SoftSortScalar>: @unchecked Sendable {
    // @unchecked: mutable state, documented as one workspace per loop; the
    // scheduler's threads write disjoint parts of these buffers within a call.
    //
    // @exclusivity(unchecked): the workspace's flag (`Workspace.holding`)
    // already lets one call at a time reach these arrays, and within a call
    // the engines access each one at a time. The runtime's check of every
    // access (a thread-local access set; the fused loss makes about twenty)
    // was a tenth of a B = 1, n = 16 loss call.
    @exclusivity(unchecked) var order: [Int] = []
    @exclusivity(unchecked) var sorted: [T] = []
    @exclusivity(unchecked) var columnSums: [T] = []
    @exclusivity(unchecked) var centres: [T] = []
    /// Per work item: its column partial (NeuralSort: and its column-sum partial).
    @exclusivity(unchecked) var partials: [T] = []
    /// Per work item: its share of the loss.
    @exclusivity(unchecked) var losses: [Double] = []
    /// Per scheduler chunk: one row of `P`.
    @exclusivity(unchecked) var rows: [T] = []
    @exclusivity(unchecked) var gradient: [T] = []
    /// The `.gauss` and `.exact` paths' row scratch, one slice per thread.
    let rowScratch = RowScratch()
    /// The `.exact` path's scan state (`ExactState.storage`), kept for the
    /// next call while no result holds it.
    var exactStorage: Storage<T>?
    /// The `.gauss` path's scores divided by their `ScoreScale` (huge
    /// `Double` scores only; empty otherwise).
    var scaledScores: [T] = []
    /// The `.dense` path's buffers.
    let dense = DenseBuffers<T>()

    /// Creates an empty workspace; buffers grow on first use.
    ///
    /// - Complexity: O(1).
    init() {}

    /// The base addresses of every buffer of the fused path.
    struct Pointers {
        let order: UnsafeMutablePointer<Int>
        let sorted: UnsafeMutablePointer<T>
        let columnSums: UnsafeMutablePointer<T>
        let centres: UnsafeMutablePointer<T>
        let partials: UnsafeMutablePointer<T>
        let losses: UnsafeMutablePointer<Double>
        let rows: UnsafeMutablePointer<T>
        let gradient: UnsafeMutablePointer<T>
    }

    /// Runs `body` with the fused path's buffers (dangling addresses when empty).
    func withPointers<R>(_ body: (Pointers) -> R) -> R {
        order.withUnsafeMutableBufferPointer { order in
        sorted.withUnsafeMutableBufferPointer { sorted in
        columnSums.withUnsafeMutableBufferPointer { columnSums in
        centres.withUnsafeMutableBufferPointer { centres in
        partials.withUnsafeMutableBufferPointer { partials in
        losses.withUnsafeMutableBufferPointer { losses in
        rows.withUnsafeMutableBufferPointer { rows in
        gradient.withUnsafeMutableBufferPointer { gradient in
            body(Pointers(
                order: order.base, sorted: sorted.base, columnSums: columnSums.base, centres: centres.base,
                partials: partials.base, losses: losses.base, rows: rows.base, gradient: gradient.base))
        }}}}}}}}
    }

    /// Sizes the `.gauss` path's buffers (`losses` to `rows`, `gradient` to
    /// `elements`) and runs `body` with their base addresses.
    func withGaussPointers<R>(
        rows: Int, elements: Int,
        _ body: (_ losses: UnsafeMutablePointer<Double>, _ gradient: UnsafeMutablePointer<T>) -> R
    ) -> R {
        resizeBuffer(&losses, rows)
        resizeBuffer(&gradient, elements)
        return losses.withMutableBase { losses in
            gradient.withMutableBase { gradient in body(losses, gradient) }
        }
    }
}

extension LossBuffers {
    /// The kept `.exact` scan state when it holds at least `count` elements
    /// and no result holds it, else a fresh one (kept for the next call).
    func exactStorage(count: Int) -> Storage<T> {
        if isKnownUniquelyReferenced(&exactStorage), let kept = exactStorage, kept.count >= count { return kept }
        exactStorage = nil  // released before the new one is allocated
        let fresh = Storage<T>(uninitializedCount: count)
        exactStorage = fresh
        return fresh
    }
}
