/// The dense and fused paths' losses for a plan (SoftSort or NeuralSort).
extension Plan {
    /// Runs a checked loss on the plan's scaled scores (the loss is
    /// unchanged by the scale, its gradient divided by `c`), after the memory
    /// check of `.dense`.
    ///
    /// - Throws: `.shapeOverflow` and `.insufficientMemory` for `.dense`'s
    ///   `B x n x n` matrices (the message names `.fused`).
    func rowLoss(_ objective: LossObjective<T>, path: SoftSortPath) throws(SoftSortError) -> Loss<T> {
        let kernelSet = T.kernelSet, backend = configuration.backend
        let request = LossRequest(
            scores: scaledScores, shape: shape, method: method, objective: objective, configuration: scaledConfiguration,
            workspace: workspace?.loss, sortKeys: sortKeys)
        let loss: Loss<T>
        if path == .dense {
            try Validation.footprint(shape, .matrices)
            try MemoryBudget.require(
                MemoryBudget.product(shape.batch, shape.count, shape.count), of: T.self,
                alternative: "path: .fused computes the same loss one row of P at a time, in O(B n) memory")
            var kernels = kernelSet.denseKernels(backend, power: power)
            if power == nil, WideLogitKernels.neuralSortMayOverflow(
                count: shape.count, largestMagnitude: scale.largestMagnitude, temperature: configuration.temperature) {
                kernels = kernelSet.dense.wideLogitKernels
            }
            loss = kernelSet.loss.dense(request, kernels)
        } else {
            // NeuralSort's column sums and their backward run the requested
            // backend's dense kernels (C ones for Float on avx2), as the dense
            // path's do; the reported backend is the loss rows' (the O(n^2) bulk).
            // SoftSort needs none: no copy of the dense table's closures.
            let kernels = kernelSet.lossKernels(backend, method: method, objective: objective)
            let columnSums = method == .neuralSort ? kernelSet.denseKernels(backend, power: nil) : nil
            loss = kernelSet.loss.fused(request, kernels, columnSums)
        }
        guard !scale.isIdentity || perturbation != nil else { return loss }
        return Loss(value: loss.value, gradient: fold(scale.divide(loss.gradient)), path: loss.path, backend: loss.backend)
    }
}
