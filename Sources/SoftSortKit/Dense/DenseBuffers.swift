/// The dense path's buffers of a `Workspace` (the matrices, the order, the
/// backward's partials), kept between calls so that a training loop
/// allocates nothing in steady state. The sharing rule is `Workspace`'s.
final class DenseBuffers<T: SoftSortScalar>: @unchecked Sendable {
    // @unchecked: mutable state, documented as one workspace per loop; the
    // scheduler's threads write disjoint parts of these buffers within a call.
    var order: [Int] = []
    var sorted: [T] = []
    var matrices: [T] = []
    var hardMatrices: [T] = []
    var columnSums: [T] = []
    var partials: [T] = []
    var centres: [T] = []
    var gradient: [T] = []

    /// Creates an empty workspace; buffers grow on first use.
    ///
    /// - Complexity: O(1).
    init() {}

    /// The base addresses of the forward's buffers.
    struct ForwardPointers {
        let order: UnsafeMutablePointer<Int>
        let sorted: UnsafeMutablePointer<T>
        let matrices: UnsafeMutablePointer<T>
        let columnSums: UnsafeMutablePointer<T>
    }

    /// The base addresses of the backward's buffers.
    struct BackwardPointers {
        let partials: UnsafeMutablePointer<T>
        let centres: UnsafeMutablePointer<T>
        let gradient: UnsafeMutablePointer<T>
    }

    /// Runs `body` with the forward's buffers (dangling addresses when empty).
    /// The backward must not take these: its result still shares them, and a
    /// mutable access would copy the whole matrix.
    func withForwardPointers<R>(_ body: (ForwardPointers) -> R) -> R {
        order.withUnsafeMutableBufferPointer { order in
        sorted.withUnsafeMutableBufferPointer { sorted in
        matrices.withUnsafeMutableBufferPointer { matrices in
        columnSums.withUnsafeMutableBufferPointer { columnSums in
            body(ForwardPointers(order: order.base, sorted: sorted.base, matrices: matrices.base, columnSums: columnSums.base))
        }}}}
    }

    /// Runs `body` with the backward's buffers (dangling addresses when empty).
    func withBackwardPointers<R>(_ body: (BackwardPointers) -> R) -> R {
        partials.withUnsafeMutableBufferPointer { partials in
        centres.withUnsafeMutableBufferPointer { centres in
        gradient.withUnsafeMutableBufferPointer { gradient in
            body(BackwardPointers(partials: partials.base, centres: centres.base, gradient: gradient.base))
        }}}
    }
}
