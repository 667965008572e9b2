/// The dense `B x n x n` path: sort each batch row, run the row kernels over
/// (batch row, block of rows) items, and in the backward sum the items'
/// column partials per batch row in block order (bitwise identical for every
/// thread count).
enum DenseEngine {
    static func forward<T: VectorScalar>(_ request: DenseRequest<T>) -> (matrices: [T], state: DenseState<T>) {
        let n = request.shape.count, batch = request.shape.batch, matrixSize = n * n
        let kernels = request.kernels, scheduler = request.configuration.scheduler
        let temperature = request.configuration.temperature, direction = request.configuration.direction
        // A finished result shares these buffers only until this call writes them.
        let workspace = request.workspace ?? DenseBuffers()
        resizeBuffer(&workspace.order, batch * n)
        resizeBuffer(&workspace.sorted, batch * n)
        resizeBuffer(&workspace.matrices, batch * matrixSize)
        if request.method == .neuralSort { resizeBuffer(&workspace.columnSums, batch * n) }
        let blocks = RowBlocks(batch: batch, count: n)
        request.scores.withBase { s in
        request.sortKeys.withBase { keys in
            workspace.withForwardPointers { w in
                // Per batch row: the sort, and NeuralSort's column sums.
                scheduler.forEachRow(
                    batch, work: batch * n * (n + 16), scratch: SortedRows.scratchWords(count: n)
                ) { b, scratch in
                    SortedRows.sort(
                        s + b * n, count: n, direction: direction, order: w.order + b * n, sorted: w.sorted + b * n,
                        scratch: scratch, keys: keys.map { $0 + b * n })
                    if request.method == .neuralSort { kernels.columnSums(s + b * n, n, w.columnSums + b * n) }
                }
                scheduler.forEach(blocks, work: batch * matrixSize) { _, item in
                    let row = item.row * n, matrix = w.matrices + item.row * matrixSize
                    switch request.method {
                    case .softSort(let power):
                        kernels.softSortForward(SoftSortRowJob(
                            scores: s + row, centres: w.sorted + row, matrix: matrix, count: n,
                            temperature: temperature, power: power), item.rows)
                    case .neuralSort:
                        kernels.neuralSortForward(NeuralSortRowJob(
                            scores: s + row, columnSums: w.columnSums + row, matrix: matrix, count: n,
                            temperature: temperature, sign: request.configuration.sign), item.rows)
                    }
                }
            }
        }}
        var matrices = workspace.matrices
        if request.mode == .straightThrough {
            fillPermutationMatrices(&workspace.hardMatrices, workspace.order, batch: batch, count: n)
            matrices = workspace.hardMatrices
        }
        let state = DenseState(
            shape: request.shape, method: request.method, configuration: request.configuration, kernels: kernels,
            scores: request.scores, permutation: workspace.order, sortedScores: workspace.sorted,
            softMatrices: workspace.matrices, workspace: request.workspace)
        return (matrices, state)
    }

    /// One-hot rows: row `i` of batch row `b` has its 1 at `order[b * n + i]`.
    static func fillPermutationMatrices<T: VectorScalar>(_ matrices: inout [T], _ order: [Int], batch: Int, count n: Int) {
        resizeBuffer(&matrices, batch * n * n)
        matrices.withMutableBase { m in
            m.initialize(repeating: 0, count: batch * n * n)
            for b in 0..<batch {
                for i in 0..<n { m[(b * n + i) * n + order[b * n + i]] = 1 }
            }
        }
    }
}
