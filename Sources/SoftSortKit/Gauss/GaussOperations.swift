/// The gauss path's entry points, compiled for one element type
/// (`KernelSet.gauss`).
struct GaussOperations<T: SoftSortScalar>: Sendable {
    /// The `p = 2` cross-entropy of a checked request (`temperature` the
    /// caller's `Double`, not the `T`-rounded one), in the caller's workspace
    /// or a fresh one.
    let crossEntropy: @Sendable (
        _ scores: [T], _ targets: [Int], _ shape: BatchShape, _ temperature: Double, _ accuracy: Double,
        _ configuration: Configuration<T>, _ workspace: LossBuffers<T>?
    ) -> Loss<T>
}

extension GaussOperations where T: VectorScalar {
    static func make() -> GaussOperations<T> {
        GaussOperations(crossEntropy: { scores, targets, shape, temperature, accuracy, configuration, workspace in
            let workspace = workspace ?? LossBuffers()
            // The transforms run the C AVX2 kernels for `.avx2` (the preferred
            // backend where the CPU has them), else Swift SIMD (`.scalar`
            // included: there are no one-lane transforms): report which.
            let kernels = GaussKernels(configuration.backend)
            let loss = GaussEngine.rescaledCrossEntropy(
                scores: scores, targets: targets, shape: shape, temperature: temperature,
                direction: configuration.direction, accuracy: accuracy, kernels: kernels, scheduler: configuration.scheduler,
                workspace: workspace)
            return Loss(value: T(loss), gradient: workspace.gradient, path: .gauss, backend: kernels.backend)
        })
    }
}

extension GaussEngine {
    /// `crossEntropy` on the scores divided by their `ScoreScale` in `Double`
    /// (the precision the transforms run in): `P(s, tau) = P(s / c, tau /
    /// c^2)`, so the loss (returned) is unchanged and its gradient (in
    /// `workspace.gradient`) is divided by `c`. `c = 1` for every `Float`
    /// input and for `Double` scores below `2^509`; above, the differences
    /// `(x_i - s_j) / h` would overflow without it, and `s / c` goes to
    /// `workspace.scaledScores`.
    static func rescaledCrossEntropy<T: VectorScalar>(
        scores: [T], targets: [Int], shape: BatchShape, temperature tau: Double, direction: SortDirection,
        accuracy: Double = defaultAccuracy, kernels: GaussKernels = .preferred, scheduler: BatchScheduler,
        workspace: LossBuffers<T>
    ) -> Double {
        let scale = ScoreScale<Double>(
            largestMagnitude: Double(Validation.largestMagnitude(scores)),
            limitExponent: ScoreScale<Double>.Bound.distance(power: 2).exponent)
        guard !scale.isIdentity else {
            return scores.withBase { s in
                targets.withBase { t in
                    crossEntropy(
                        scores: s, targets: t, shape: shape, temperature: tau, direction: direction,
                        accuracy: accuracy, kernels: kernels, scheduler: scheduler, workspace: workspace)
                }
            }
        }
        // Only `Double` scores get here; `s / c` and `g / c` are exact powers of two apart.
        let c = T(scale.factor)
        resizeBuffer(&workspace.scaledScores, shape.elements)
        workspace.scaledScores.withMutableBase { scaled in
            scores.withBase { s in
                for j in 0..<shape.elements { scaled[j] = s[j] / c }
            }
        }
        // A second reference while the call runs: `crossEntropy` writes the
        // workspace's other buffers only, so this one is never copied.
        // Sorted by the caller's scores: `s / c` ties subnormals with 0.
        let scaled = workspace.scaledScores
        let loss = scaled.withBase { s in
            targets.withBase { t in
                scores.withBase { keys in
                    crossEntropy(
                        scores: s, targets: t, shape: shape, temperature: scale.temperature(tau, power: 2),
                        direction: direction, accuracy: accuracy, kernels: kernels, scheduler: scheduler,
                        workspace: workspace, keys: keys)
                }
            }
        }
        workspace.gradient.withMutableBase { g in
            for j in 0..<shape.elements { g[j] /= c }
        }
        return loss
    }
}
