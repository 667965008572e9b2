/// Buffers for the dense path, kept between calls so that a training loop
/// allocates nothing in steady state.
///
/// Pass the same workspace to every `forward` of a loop. The result of a
/// forward (and the gradient of its backward) share the workspace's storage
/// until the next call writes it: let them go before the next `forward` —
/// declare them inside the loop body — or that call copies them (correct,
/// but it allocates). A workspace is not thread-safe: give each concurrent
/// training loop its own, and do not run backwards of results that share a
/// workspace on several threads at once. (Results made without a workspace
/// have no such limit: each of their backwards allocates its own buffers.)
public final class DenseWorkspace<T: SoftSortScalar>: @unchecked Sendable {
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
    public init() {}

    /// The base addresses of every buffer, for one engine call.
    struct Pointers {
        let order: UnsafeMutablePointer<Int>
        let sorted: UnsafeMutablePointer<T>
        let matrices: UnsafeMutablePointer<T>
        let columnSums: UnsafeMutablePointer<T>
        let partials: UnsafeMutablePointer<T>
        let centres: UnsafeMutablePointer<T>
        let gradient: UnsafeMutablePointer<T>
    }

    /// Runs `body` with the buffers' base addresses; an empty buffer gives a
    /// dangling (never read) address.
    func withPointers<R>(_ body: (Pointers) -> R) -> R {
        order.withUnsafeMutableBufferPointer { order in
        sorted.withUnsafeMutableBufferPointer { sorted in
        matrices.withUnsafeMutableBufferPointer { matrices in
        columnSums.withUnsafeMutableBufferPointer { columnSums in
        partials.withUnsafeMutableBufferPointer { partials in
        centres.withUnsafeMutableBufferPointer { centres in
        gradient.withUnsafeMutableBufferPointer { gradient in
            body(Pointers(
                order: order.base, sorted: sorted.base, matrices: matrices.base, columnSums: columnSums.base,
                partials: partials.base, centres: centres.base, gradient: gradient.base))
        }}}}}}}
    }
}
