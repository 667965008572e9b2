/// What a loss differentiates: the cross-entropy against target columns, or
/// the kNN loss on the first `k` rows.
enum LossObjective<T: SoftSortScalar>: Sendable {
    /// `-sum_(b, i) log P[b, i, t[b, i]]`, targets checked to lie in `0 ..< count`.
    case crossEntropy(targets: [Int])
    /// `-(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]`, `1 <= k <= count`.
    case nearestNeighbors(matches: [T], k: Int)

    /// The rows of `P` the loss reads.
    func rows(count: Int) -> Int {
        switch self {
        case .crossEntropy: return count
        case .nearestNeighbors(_, let k): return k
        }
    }
}

/// One loss to compute on the `.dense` or `.fused` path.
struct LossRequest<T: SoftSortScalar>: Sendable {
    let scores: [T]
    let shape: BatchShape
    let method: DenseMethod
    let objective: LossObjective<T>
    let configuration: Configuration<T>
    let workspace: LossBuffers<T>?
    /// The caller's scores the rows are sorted by when `scores` are rescaled (`Plan.sortKeys`).
    var sortKeys: [T]? = nil
}

/// The loss paths' entry points, compiled for one element type
/// (`KernelSet.loss`). The kernels come in with the call (chosen by
/// `KernelSet.lossKernels` and `KernelSet.denseKernels`).
struct LossOperations<T: SoftSortScalar>: Sendable {
    /// One row of `P` at a time (`FusedLossEngine`); NeuralSort's column
    /// sums run the dense kernels given (`nil` for SoftSort, which has none).
    let fused: @Sendable (LossRequest<T>, LossKernels<T>, _ columnSums: DenseKernels<T>?) -> Loss<T>
    /// Through the dense forward's matrices (`DenseLossEngine`).
    let dense: @Sendable (LossRequest<T>, DenseKernels<T>) -> Loss<T>
}

extension LossOperations where T: VectorScalar {
    static func make() -> LossOperations<T> {
        LossOperations(
            fused: { request, kernels, columnSums in FusedLossEngine.run(request, kernels: kernels, columnSums: columnSums) },
            dense: { request, kernels in DenseLossEngine.run(request, kernels: kernels) })
    }
}
