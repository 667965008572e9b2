/// The gauss path's forward for a plan, and its cross-entropy.
extension Plan {
    /// Sorts each row and runs its normalizer transform, in `Double`, on the
    /// caller's scores (the transforms rescale huge `Double` scores themselves).
    func gaussState() -> GaussState<T> {
        T.kernelSet.gaussOutputs.prepare(scores, shape, temperature, accuracy, configuration, workspace?.gauss)
    }

    /// The cross-entropy of checked targets in the workspace's loss buffers.
    func gaussCrossEntropy(targets: [Int]) -> Loss<T> {
        let loss = T.kernelSet.gauss.crossEntropy(scores, targets, shape, temperature, accuracy, configuration, workspace?.loss)
        return perturbation == nil ? loss : Loss(value: loss.value, gradient: fold(loss.gradient), path: loss.path, backend: loss.backend)
    }

    /// The backend whose code runs the outputs' transforms (the preferred
    /// one: the outputs' transforms do not take a requested backend yet).
    var gaussOutputBackend: Backend { GaussKernels.preferred.backend }
}
