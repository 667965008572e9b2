/// The gauss path's entry points, compiled for one element type
/// (`KernelSet.gauss`).
struct GaussOperations<T: SoftSortScalar>: Sendable {
    /// The `p = 2` cross-entropy of a checked request (`temperature` the
    /// caller's `Double`, not the `T`-rounded one).
    let crossEntropy: @Sendable (
        _ scores: [T], _ targets: [Int], _ shape: BatchShape, _ temperature: Double, _ configuration: Configuration<T>
    ) -> Loss<T>
}

extension GaussOperations where T: VectorScalar {
    static func make() -> GaussOperations<T> {
        GaussOperations(crossEntropy: { scores, targets, shape, temperature, configuration in
            let result = GaussEngine.crossEntropy(
                scores: scores, targets: targets, shape: shape, temperature: temperature,
                direction: configuration.direction, scheduler: configuration.scheduler)
            // The transforms are Swift SIMD (SIMD4<Double>) code on every backend.
            return Loss(value: T(result.loss), gradient: result.gradient, path: .gauss, backend: .simd)
        })
    }
}
