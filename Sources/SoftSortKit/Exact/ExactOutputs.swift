/// The exact path's forward for a plan, and its losses.
extension Plan {
    /// Sorts each row by the caller's scores and runs the normalizer scans
    /// on the scaled ones.
    func exactState() -> ExactState<T> {
        let kernelSet = T.kernelSet
        return kernelSet.exact.prepare(
            scaledScores, shape, scaledConfiguration, kernelSet.kernels(for: configuration.backend), workspace?.loss,
            sortKeys)
    }

    /// The cross-entropy of checked targets in the workspace's loss buffers
    /// (a fresh set without one): no allocation in the steady state.
    func exactCrossEntropy(targets: [Int]) -> Loss<T> {
        let buffers = workspace?.loss ?? LossBuffers()
        let kernelSet = T.kernelSet, kernels = kernelSet.kernels(for: configuration.backend)
        let loss = kernelSet.exact.crossEntropyInWorkspace(
            scaledScores, targets, shape, scaledConfiguration, kernels, buffers, sortKeys)
        if !scale.isIdentity {
            // In place, as `scale.divide` rounds it: no allocation on this path either.
            let c = scale.factor, elements = shape.elements
            buffers.gradient.withMutableBase { g in
                for j in 0..<elements { g[j] /= c }
            }
        }
        return Loss(value: T(loss), gradient: fold(buffers.gradient), path: .exact, backend: kernels.scanBackend)
    }

    /// The kNN loss of checked matches in one backward pass that also forms
    /// `P^T G` (the loss is `<G, P y>`, `G` the rows' weights).
    func exactNearestNeighborLoss(matches: [T], k: Int) -> Loss<T> {
        let state = exactState()
        let n = shape.count, weight = -1 / (T(shape.batch) * T(k))
        var rowGradient = [T](repeating: 0, count: shape.elements)
        for b in 0..<shape.batch {
            for i in 0..<k { rowGradient[b * n + i] = weight }
        }
        let result = T.kernelSet.exact.applyBackward(state, matches, 1, rowGradient, true)
        var loss = 0.0
        for (g, y) in zip(rowGradient, result.product) { loss += Double(g) * Double(y) }
        return Loss(value: T(loss), gradient: fold(scale.divide(result.scores)), path: .exact, backend: state.backend)
    }
}
