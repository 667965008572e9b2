/// What an exact `p = 1` forward keeps: the scores, their sorted order, and
/// per batch row the factors `f`, `L[1]` and `R[1]` of `ScanKernels` and the
/// sorted scores, in the
/// block layout of `LaneBlocks` (O(B n) memory, no `n x n` matrix), and the
/// configuration every later operation runs with.
struct ExactState<T: SoftSortScalar>: Sendable {
    let shape: BatchShape
    let configuration: Configuration<T>
    /// Batch rows per full lane block (1: one row at a time, the `scalar` backend).
    let lanes: Int
    /// The backend whose code the scans run.
    let backend: Backend
    let scores: [T]
    /// Plain `batch x count`: `permutation[b n + i]` is the column of rank `i`.
    let permutation: [Int]
    /// The factors `f`, `L[1]` and `R[1]` and the sorted scores `x`, one
    /// after the other, `batch x count` elements each, in block layout.
    let storage: Storage<T>
    /// The workspace's row scratch (`nil` without one): the scratch of every
    /// operation on the state, which all run holding that workspace.
    let scratch: RowScratch?

    var factors: UnsafeMutablePointer<T> { storage.base }
    var left: UnsafeMutablePointer<T> { storage.base + shape.elements }
    var right: UnsafeMutablePointer<T> { storage.base + 2 * shape.elements }
    /// `x[b, i]` = the score of rank `i` of row `b` (`-0` as `+0`), block layout.
    var sorted: UnsafeMutablePointer<T> { storage.base + 3 * shape.elements }

    var blocks: LaneBlocks { LaneBlocks(batch: shape.batch, lanes: lanes) }

    /// `d(...)/dx` carries `+1 / tau` descending, `-1 / tau` ascending.
    var gradientScale: T {
        configuration.direction == .descending ? 1 / configuration.temperature : -1 / configuration.temperature
    }
}

/// The gradients of one `P W` vector-Jacobian product: `scores` is `batch x
/// count`, `values` `batch x count x d` in the values' own (column) order,
/// `product` (`P W`, rows sorted) when asked for.
struct ExactGradients<T: SoftSortScalar>: Sendable {
    var scores: [T]
    var values: [T]
    var product: [T]
}

/// The exact path's entry points, compiled for one element type
/// (`KernelSet.exact`).
struct ExactOperations<T: SoftSortScalar>: Sendable {
    /// Sorts each batch row (by `sortKeys` when given: `Plan.sortKeys`) and
    /// runs the normalizer scans.
    let prepare: @Sendable (
        _ scores: [T], _ shape: BatchShape, _ configuration: Configuration<T>, _ kernels: BackendKernels<T>,
        _ workspace: LossBuffers<T>?, _ sortKeys: [T]?
    ) -> ExactState<T>
    /// `P V`, rows sorted; `values` in column order.
    let apply: @Sendable (ExactState<T>, _ values: [T], _ dimension: Int) -> [T]
    /// `P s`, rows sorted, for the state's own scores (read sorted from the state).
    let applyToScores: @Sendable (ExactState<T>) -> [T]
    /// `P^T U`, column order; `values` (`U`) in sorted order.
    let applyTransposed: @Sendable (ExactState<T>, _ values: [T], _ dimension: Int) -> [T]
    /// The VJP of `P W` given `dL/d(P W)`; `wantProduct` also returns `P W`.
    let applyBackward: @Sendable (ExactState<T>, _ values: [T], _ dimension: Int, _ gradient: [T], _ wantProduct: Bool) -> ExactGradients<T>
    /// `dL/ds` of `P s` given `dL/d(P s)`, through both `P` and `s`.
    let sortedValuesBackward: @Sendable (ExactState<T>, _ gradient: [T]) -> [T]
    /// `r = (1, ..., n)` for every batch row (the ranks' `U`).
    let rankRows: @Sendable (BatchShape) -> [T]
    /// `-sum log P[b, i, t[b, i]]` (in `Double`) and its gradient.
    let crossEntropy: @Sendable (ExactState<T>, _ targets: [Int]) -> (loss: Double, gradient: [T])
    /// The same from checked scores, the state for the call only, in the
    /// workspace's buffers (the gradient in `workspace.gradient`).
    let crossEntropyInWorkspace: @Sendable (
        _ scores: [T], _ targets: [Int], _ shape: BatchShape, _ configuration: Configuration<T>,
        _ kernels: BackendKernels<T>, _ workspace: LossBuffers<T>, _ sortKeys: [T]?
    ) -> Double
    /// `log Z_i`, `batch x count`, rows sorted.
    let logNormalizers: @Sendable (ExactState<T>) -> [T]
}

extension ExactOperations where T: ScanScalar {
    static func make() -> ExactOperations<T> {
        ExactOperations(
            prepare: { scores, shape, configuration, kernels, workspace, sortKeys in
                ExactEngine.prepare(
                    scores, shape: shape, configuration: configuration, kernels: kernels, workspace: workspace,
                    sortKeys: sortKeys)
            },
            apply: { state, values, d in ExactEngine.product(state, values, dimension: d, transposed: false) },
            applyToScores: { state in ExactEngine.product(state, nil, dimension: 1, transposed: false) },
            applyTransposed: { state, values, d in ExactEngine.product(state, values, dimension: d, transposed: true) },
            applyBackward: { state, values, d, gradient, wantProduct in
                ExactEngine.applyBackward(state, values: values, dimension: d, gradient: gradient, wantProduct: wantProduct)
            },
            sortedValuesBackward: { state, gradient in ExactEngine.sortedValuesBackward(state, gradient: gradient) },
            rankRows: { shape in ExactEngine.rankRows(shape) },
            crossEntropy: { state, targets in ExactEngine.crossEntropy(state, targets: targets) },
            crossEntropyInWorkspace: { scores, targets, shape, configuration, kernels, workspace, sortKeys in
                ExactEngine.crossEntropy(
                    scores, targets: targets, shape: shape, configuration: configuration, kernels: kernels,
                    workspace: workspace, sortKeys: sortKeys)
            },
            logNormalizers: { state in ExactEngine.logNormalizers(state) })
    }
}

/// A scan over one lane block, generic over its lane type: one element (a
/// row scanned alone) or a SIMD vector of rows in lockstep. `run(lanes:)` is
/// the one place that picks the lane type.
protocol BlockScan {
    associatedtype Scalar: ScanScalar
    func run<S: ScanLanes>(_ lanes: S.Type) where S.LaneScalar == Scalar
}

extension BlockScan {
    @inline(__always)
    func run(lanes: Int) {
        if lanes == 1 { run(Scalar.self) } else { run(Scalar.BatchLanes.self) }
    }
}
