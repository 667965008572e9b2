/// The dense path's forward for a plan: the `B x n x n` matrices after the
/// memory check.
extension Plan {
    /// The matrices `P` (and with `.straightThrough` the permutation matrices)
    /// and the state every dense output's backward reads.
    ///
    /// - Throws: `.shapeOverflow` when `B n^2` overflows `Int`,
    ///   `.insufficientMemory` when the matrices do not fit (the message names
    ///   the paths that form none).
    func denseForward(mode: OutputMode = .soft) throws(SoftSortError) -> (matrices: [T], state: DenseState<T>) {
        try Validation.footprint(shape, .matrices)
        let matrix = MemoryBudget.product(shape.batch, shape.count, shape.count)
        let buffers = workspace?.dense
        let held = (buffers?.matrices.capacity ?? 0) + (mode == .straightThrough ? buffers?.hardMatrices.capacity ?? 0 : 0)
        try MemoryBudget.require(
            MemoryBudget.sum(mode == .straightThrough ? MemoryBudget.sum(matrix, matrix) : matrix, -held), of: T.self,
            alternative: method == .neuralSort
                ? "NeuralSort needs its B x n x n matrices; use a smaller batch, or path: .fused for its cross-entropy"
                : "path: .fused, .exact (p = 1) and .gauss (p = 2) form no matrix")
        let kernelSet = T.kernelSet
        var kernels = kernelSet.denseKernels(configuration.backend, power: power)
        if method == .neuralSort, WideLogitKernels.neuralSortMayOverflow(
            count: shape.count, largestMagnitude: scale.largestMagnitude, temperature: configuration.temperature) {
            kernels = kernelSet.dense.wideLogitKernels
        }
        return kernelSet.dense.forward(DenseRequest(
            scores: scaledScores, shape: shape, method: method, mode: mode, configuration: scaledConfiguration,
            kernels: kernels, workspace: buffers, sortKeys: sortKeys))
    }
}
