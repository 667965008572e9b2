/// The fused path's SoftSort cross-entropy for short rows: the batch cut into
/// blocks of `T.Vector.scalarCount` rows (the last one partial), each block
/// one call of the backend's short-row kernel (`ShortRowLossJob`), which
/// sorts, forms `P`, the loss and the whole gradient of its rows in a tile
/// of its chunk's scratch. Blocks depend on the shape only and write
/// disjoint gradient rows; their losses are added in block order: bitwise
/// identical for every thread count. `O(B n)` memory, nothing per row.
enum ShortRowLossEngine {
    /// Whether `request` runs here: the SoftSort cross-entropy, rows of at
    /// most `ShortRowLossKernels.maximumCount`, at least a block of rows,
    /// a backend with the kernel, scores that are not rescaled (the kernels
    /// rank the scores they are given; `sortKeys` goes to the sorting engine).
    static func covers<T: VectorScalar>(_ request: LossRequest<T>, _ kernels: LossKernels<T>) -> Bool {
        guard kernels.shortRowCrossEntropy != nil, request.sortKeys == nil, case .softSort = request.method,
              case .crossEntropy = request.objective else { return false }
        // Fewer rows than lanes leave lanes idle: the row kernels are faster there.
        return request.shape.count <= ShortRowLossKernels.maximumCount && request.shape.batch >= T.Vector.scalarCount
    }

    static func run<T: VectorScalar>(_ request: LossRequest<T>, kernels: LossKernels<T>) -> Loss<T> {
        let batch = request.shape.batch, n = request.shape.count
        let configuration = request.configuration, scheduler = configuration.scheduler
        let lanes = T.Vector.scalarCount, blocks = (batch + lanes - 1) / lanes
        let scratchCount = ShortRowLossKernels.scratchCount(T.self, count: n)
        let chunks = scheduler.maximumChunks(items: blocks)
        let workspace = request.workspace ?? LossBuffers()
        resizeBuffer(&workspace.losses, blocks)
        resizeBuffer(&workspace.rows, chunks * scratchCount)
        resizeBuffer(&workspace.gradient, batch * n)
        guard batch * n > 0, case .softSort(let power) = request.method, case .crossEntropy(let targets) = request.objective,
              let kernel = kernels.shortRowCrossEntropy else {
            return Loss(value: 0, gradient: workspace.gradient, path: .fused, backend: kernels.backend)
        }
        let temperature = configuration.temperature, descending = configuration.direction == .descending
        request.scores.withBase { s in
        targets.withBase { t in
        workspace.withPointers { w in
            scheduler.forEachChunk(items: blocks, work: batch * n * n) { chunk, range in
                let scratch = w.rows + chunk * scratchCount
                for index in range {
                    w.losses[index] = kernel(ShortRowLossJob(
                        scores: s, targets: t, scratch: scratch, gradient: w.gradient, batch: batch, count: n,
                        first: index * lanes, temperature: temperature, power: power, descending: descending))
                }
            }
        }}}
        var total = 0.0
        for index in 0..<blocks { total += workspace.losses[index] }
        return Loss(value: T(total), gradient: workspace.gradient, path: .fused, backend: kernels.backend)
    }
}
