/// What a fused `Y = P V` forward keeps (O(B n d), never `P`).
struct ApplyState<T: SoftSortScalar>: Sendable {
    let shape: BatchShape
    let dimension: Int
    let configuration: Configuration<T>
    let kernels: ApplyKernels<T>
    let columnTile: Int
    let scores: [T]
    let permutation: [Int]
    let sortedScores: [T]
    /// `V` transposed per batch row, `batch x dimension x count`.
    let transposedValues: [T]
    /// `Z_i` per row.
    let normalizers: [T]
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
            forward: { ApplyEngine.forward($0) },
            backward: { ApplyEngine.backward($0, outputGradient: $1) })
    }
}
