/// Which relaxation a dense forward computes.
enum DenseMethod: Sendable, Equatable {
    /// SoftSort with the distance `|x|^p`.
    case softSort(DistancePower)
    /// NeuralSort (the `O(n^2)` association).
    case neuralSort
}

/// What a dense forward keeps for its backward: the scores, their sorted
/// order and the soft matrices, so nothing is recomputed.
struct DenseState<T: SoftSortScalar>: Sendable {
    let shape: BatchShape
    let method: DenseMethod
    let configuration: Configuration<T>
    let kernels: DenseKernels<T>
    let scores: [T]
    let permutation: [Int]
    let sortedScores: [T]
    let softMatrices: [T]
    /// The caller's workspace, which the backward reuses; `nil` when the
    /// forward was given none (each backward then allocates its own buffers).
    let workspace: DenseBuffers<T>?
}

/// One dense forward to run.
struct DenseRequest<T: SoftSortScalar> {
    let scores: [T]
    let shape: BatchShape
    let method: DenseMethod
    let mode: OutputMode
    let configuration: Configuration<T>
    let kernels: DenseKernels<T>
    let workspace: DenseBuffers<T>?
    /// The caller's scores the rows are sorted by when `scores` are rescaled (`Plan.sortKeys`).
    var sortKeys: [T]? = nil
}

/// The dense path's entry points, compiled for one element type
/// (`KernelSet.dense`).
struct DenseOperations<T: SoftSortScalar>: Sendable {
    /// Sorts each batch row and fills `P`; returns the result's matrices
    /// (soft or straight-through) and the state.
    let forward: @Sendable (DenseRequest<T>) -> (matrices: [T], state: DenseState<T>)
    /// `dL/ds` given `dL/dP`.
    let backward: @Sendable (DenseState<T>, _ matrixGradient: [T]) -> [T]
    /// `M s` for the result's matrices `M`, `batch x count`.
    let sortedValues: @Sendable (DenseState<T>, _ matrices: [T]) -> [T]
    /// `dL/ds` given `dL/d(P s)`, through `P` and `s`.
    let sortedValuesBackward: @Sendable (DenseState<T>, _ gradient: [T]) -> [T]
    /// `P X` or `P^T X` of the state's soft matrices (`DenseProducts.product`).
    let product: @Sendable (DenseState<T>, _ input: [T], _ dimension: Int, _ transposed: Bool) -> [T]
    /// `G[i, j] = <A[i], C[j]>` (`DenseProducts.outer`).
    let outer: @Sendable (DenseState<T>, _ left: [T], _ right: [T], _ dimension: Int) -> [T]
    /// The kernels for NeuralSort rows whose logits overflow `T` (`WideLogitKernels`).
    let wideLogitKernels: DenseKernels<T>
}

extension DenseOperations where T: VectorScalar {
    static func make() -> DenseOperations<T> {
        DenseOperations(
            forward: { request in DenseEngine.forward(request) },
            backward: { state, gradient in DenseEngine.backward(state, matrixGradient: gradient) },
            sortedValues: { state, matrices in DenseEngine.sortedValues(state, matrices: matrices) },
            sortedValuesBackward: { state, gradient in DenseEngine.sortedValuesBackward(state, gradient: gradient) },
            product: { state, input, d, transposed in
                DenseProducts.product(
                    state.softMatrices, input, shape: state.shape, dimension: d, transposed: transposed,
                    scheduler: state.configuration.scheduler)
            },
            outer: { state, left, right, d in
                DenseProducts.outer(left, right, shape: state.shape, dimension: d, scheduler: state.configuration.scheduler)
            },
            wideLogitKernels: .wideLogits())
    }
}
