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
    public init() {}
}

/// Sizes `buffer` to `count` elements, reallocating only when the size
/// differs. The contents are unspecified: every caller writes each element
/// before reading it. The element types (`Int`, `Float`, `Double`) are
/// trivial, so any bits are valid values; not filling the buffer saves a pass
/// over a `B n^2` matrix (and `Array(repeating:count:)`, from this generic,
/// unspecialized code, stores one element at a time through value witnesses:
/// seconds for such a matrix).
func resizeBuffer<E>(_ buffer: inout [E], _ count: Int) {
    guard buffer.count != count else { return }
    buffer = [E](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}
