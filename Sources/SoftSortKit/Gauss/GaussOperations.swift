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
            let result = GaussEngine.rescaledCrossEntropy(
                scores: scores, targets: targets, shape: shape, temperature: temperature,
                direction: configuration.direction, scheduler: configuration.scheduler)
            // The transforms are Swift SIMD (SIMD4<Double>) code on every backend.
            return Loss(value: T(result.loss), gradient: result.gradient, path: .gauss, backend: .simd)
        })
    }
}

extension GaussEngine {
    /// `crossEntropy` on the scores divided by their `ScoreScale` in `Double`
    /// (the precision the transforms run in): `P(s, tau) = P(s / c, tau /
    /// c^2)`, so the loss is unchanged and its gradient is divided by `c`.
    /// `c = 1` for every `Float` input and for `Double` scores below `2^509`;
    /// above, the differences `(x_i - s_j) / h` would overflow without it.
    static func rescaledCrossEntropy<T: VectorScalar>(
        scores: [T], targets: [Int], shape: BatchShape, temperature tau: Double, direction: SortDirection,
        accuracy: Double = defaultAccuracy, scheduler: BatchScheduler
    ) -> (loss: Double, gradient: [T]) {
        let scale = ScoreScale<Double>(
            largestMagnitude: Double(Validation.largestMagnitude(scores)),
            limitExponent: ScoreScale<Double>.Bound.distance(power: 2).exponent)
        guard !scale.isIdentity else {
            let result = crossEntropy(
                scores: scores, targets: targets, shape: shape, temperature: tau, direction: direction,
                accuracy: accuracy, scheduler: scheduler)
            return (result.loss, result.gradient)
        }
        // Only `Double` scores get here; `s / c` and `g / c` are exact powers of two apart.
        let c = T(scale.factor)
        let result = crossEntropy(
            scores: scores.map { $0 / c }, targets: targets, shape: shape, temperature: scale.temperature(tau, power: 2),
            direction: direction, accuracy: accuracy, scheduler: scheduler)
        return (result.loss, result.gradient.map { $0 / c })
    }
}
