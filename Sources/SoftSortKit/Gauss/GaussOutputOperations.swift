/// The entry points of the gauss path's outputs, compiled for one element
/// type (`KernelSet.gaussOutputs`).
struct GaussOutputOperations<T: SoftSortScalar>: Sendable {
    /// Sorts each row and runs the unit-weight transform (`temperature` the
    /// caller's `Double`, `accuracy` checked), in the workspace's buffers when given one.
    let prepare: @Sendable (
        _ scores: [T], _ shape: BatchShape, _ temperature: Double, _ accuracy: Double, _ configuration: Configuration<T>,
        _ workspace: GaussBuffers<T>?
    ) -> GaussState<T>
    /// `log Z_i`, rows sorted.
    let logNormalizers: @Sendable (GaussState<T>) -> [T]
    /// `P V` (rows sorted) and its state; `values` in column order.
    let apply: @Sendable (GaussState<T>, _ values: [T], _ dimension: Int) -> (output: [T], product: GaussProductState<T>)
    /// `dL/ds` and `dL/dV` of `P V` given `dL/d(P V)`.
    let applyBackward: @Sendable (GaussProductState<T>, _ gradient: [T]) -> SoftSortGradient<T>
    /// `P^T U`, column order; `values` rows sorted (`GaussTransposed`).
    let applyTransposed: @Sendable (GaussState<T>, _ values: [T], _ dimension: Int) -> [T]
    /// `dL/ds` and `dL/dU` of `P^T U` given `dL/d(P^T U)`.
    let applyTransposedBackward: @Sendable (GaussState<T>, _ values: [T], _ dimension: Int, _ gradient: [T]) -> SoftSortGradient<T>
    /// `P s`, rows sorted.
    let sortedValues: @Sendable (GaussState<T>) -> [T]
    /// `dL/ds` of `P s`, through `P` and `s`.
    let sortedValuesBackward: @Sendable (GaussState<T>, _ gradient: [T]) -> [T]
    /// `P^T r`, column order.
    let ranks: @Sendable (GaussState<T>) -> [T]
    /// `dL/ds` of `P^T r`.
    let ranksBackward: @Sendable (GaussState<T>, _ gradient: [T]) -> [T]
    /// The cross-entropy against checked targets, `GaussEngine.crossEntropy` on the forward's scores,
    /// in the caller's workspace or a fresh one.
    let crossEntropy: @Sendable (GaussState<T>, _ targets: [Int], _ workspace: LossBuffers<T>?) -> Loss<T>
}

extension GaussOutputOperations where T: VectorScalar {
    static func make() -> GaussOutputOperations<T> {
        GaussOutputOperations(
            prepare: { scores, shape, temperature, accuracy, configuration, workspace in
                GaussForward.prepare(
                    scores: scores, shape: shape, temperature: temperature, direction: configuration.direction,
                    accuracy: accuracy, scheduler: configuration.scheduler, workspace: workspace)
            },
            logNormalizers: { state in GaussForward.logNormalizers(state) },
            apply: { state, values, d in
                let product = values.withBase { values in
                    state.permutation.withBase { order in
                        GaussProduct.forward(state, dimension: d) { b, k, e in
                            Double(values[(b * state.shape.count + order[b * state.shape.count + k]) * d + e])
                        }
                    }
                }
                return (product.output(), product)
            },
            applyBackward: { product, gradient in
                let d = product.dimension, n = product.state.shape.count
                return gradient.withBase { g in
                    GaussProduct.backward(product) { b, i, e in Double(g[(b * n + i) * d + e]) }
                }
            },
            applyTransposed: { state, values, d in GaussTransposed.forward(state, values, dimension: d) },
            applyTransposedBackward: { state, values, d, gradient in
                GaussTransposed.backward(state, values, dimension: d, gradient: gradient)
            },
            sortedValues: { state in GaussValues.sortedValues(state) },
            sortedValuesBackward: { state, gradient in GaussValues.sortedValuesBackward(state, gradient: gradient) },
            ranks: { state in GaussValues.ranks(state) },
            ranksBackward: { state, gradient in GaussValues.ranksBackward(state, gradient: gradient) },
            crossEntropy: { state, targets, workspace in
                let workspace = workspace ?? LossBuffers()
                let loss = GaussEngine.rescaledCrossEntropy(
                    scores: state.scores, targets: targets, shape: state.shape, temperature: state.temperature,
                    direction: state.direction, accuracy: state.accuracy, scheduler: state.scheduler,
                    workspace: workspace)
                return Loss(value: T(loss), gradient: workspace.gradient, path: .gauss, backend: GaussKernels.preferred.backend)
            })
    }
}
