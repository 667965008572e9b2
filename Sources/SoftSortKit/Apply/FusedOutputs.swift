/// The fused path's `P V` for a plan: `P` tile by tile, never stored.
extension Plan {
    /// `P V` of checked values (`B x n x d`, column order), rows sorted.
    ///
    /// - Throws: `.insufficientMemory` when the `O(B n d)` buffers do not fit.
    func fusedProduct(of values: [T], dimension: Int) throws(SoftSortError) -> ApplyState<T> {
        guard let power else { throw .unsupportedPath(path: "fused", reason: "NeuralSort's fused path has the cross-entropy only") }
        try Validation.footprint(shape, .values(dimension: dimension))
        try MemoryBudget.require(
            MemoryBudget.product(shape.elements, MemoryBudget.sum(MemoryBudget.product(2, dimension), 2)), of: T.self,
            alternative: "path: .exact (p = 1) and .gauss (p = 2) apply P to values in O(B n d) without tiles")
        let kernelSet = T.kernelSet
        return kernelSet.apply.forward(ApplyRequest(
            scores: scaledScores, values: values, shape: shape, dimension: dimension, configuration: scaledConfiguration,
            kernels: kernelSet.applyKernels(configuration.backend, power: power), sortKeys: sortKeys))
    }
}
