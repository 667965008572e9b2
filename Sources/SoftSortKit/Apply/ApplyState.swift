/// What a fused `Y = P V` forward keeps (O(B n d), never `P`).
struct ApplyState<T: SoftSortScalar>: Sendable {
    let shape: BatchShape
    let dimension: Int
    let configuration: Configuration<T>
    let kernels: ApplyKernels<T>
    let columnTile: Int
    let scores: [T]
    let permutation: [Int]
    /// The sorted scores (`batch x count`), `V` transposed per batch row
    /// (`batch x dimension x count`) and `Z_i` per row (`batch x count`),
    /// one after the other.
    let storage: Storage<T>

    var sortedScores: UnsafeMutablePointer<T> { storage.base }
    var transposedValues: UnsafeMutablePointer<T> { storage.base + shape.elements }
    var normalizers: UnsafeMutablePointer<T> { storage.base + shape.elements * (dimension + 1) }
    /// `Y`, `batch x count x dimension`.
    let output: [T]
}

/// One fused forward to run.
struct ApplyRequest<T: SoftSortScalar> {
    let scores: [T]
    let values: [T]
    let shape: BatchShape
    let dimension: Int
    let configuration: Configuration<T>
    let kernels: ApplyKernels<T>
    /// The caller's scores the rows are sorted by when `scores` are rescaled (`Plan.sortKeys`).
    var sortKeys: [T]? = nil
}

/// The fused path's entry points, compiled for one element type
/// (`KernelSet.apply`).
struct ApplyOperations<T: SoftSortScalar>: Sendable {
    let forward: @Sendable (ApplyRequest<T>) -> ApplyState<T>
    /// `(dL/ds, dL/dV)` given `dL/dY`.
    let backward: @Sendable (ApplyState<T>, _ outputGradient: [T]) -> SoftSortGradient<T>
}

extension ApplyOperations where T: VectorScalar {
    static func make() -> ApplyOperations<T> {
        ApplyOperations(
            forward: { request in ApplyEngine.forward(request) },
            backward: { state, gradient in ApplyEngine.backward(state, outputGradient: gradient) })
    }
}
