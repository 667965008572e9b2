/// Which relaxation a dense forward computed, with its parameters in the
/// element type.
enum RelaxationMethod<T: SoftSortScalar>: Sendable {
    case softSort(temperature: T, power: DistancePower, direction: SortDirection)
    case neuralSort(temperature: T, direction: SortDirection)

    var direction: SortDirection {
        switch self {
        case .softSort(_, _, let direction), .neuralSort(_, let direction): return direction
        }
    }

    var sign: T { direction == .descending ? 1 : -1 }
}

/// The dense `B x n x n` path: argsort each batch row, run the row kernels
/// over (batch row, block of rows) work items on the scheduler, and for the
/// backward combine per-block column partials in block order.
enum DenseEngine {
    /// Validates, picks the kernels and the threads, and runs the forward.
    static func run<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, method: RelaxationMethod<T>, mode: OutputMode,
        backend: Backend?, threads: Int?, workspace: DenseWorkspace<T>?
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        try Validation.scores(scores, batch: batch, count: count)
        let kernels = T._kernels(for: try Backend.resolve(backend))
        let scheduler = BatchScheduler(threads: try Parallelism.resolve(threads))
        return forward(
            scores: scores, batch: batch, count: count, method: method, mode: mode, kernels: kernels,
            scheduler: scheduler, workspace: workspace ?? DenseWorkspace(), callerWorkspace: workspace != nil)
    }

    static func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count n: Int, method: RelaxationMethod<T>, mode: OutputMode,
        kernels: _RowKernels<T>, scheduler: BatchScheduler, workspace: DenseWorkspace<T>, callerWorkspace: Bool
    ) -> RelaxedPermutation<T> {
        // A finished result shares these buffers only until this call writes them.
        let rows = batch * n, matrixSize = n * n
        resizeBuffer(&workspace.order, rows)
        resizeBuffer(&workspace.sorted, rows)
        resizeBuffer(&workspace.matrices, batch * matrixSize)
        if case .neuralSort = method { resizeBuffer(&workspace.columnSums, rows) }
        if rows > 0 {
            scores.withUnsafeBufferPointer { s in
            workspace.order.withUnsafeMutableBufferPointer { order in
            workspace.sorted.withUnsafeMutableBufferPointer { sorted in
            workspace.matrices.withUnsafeMutableBufferPointer { matrices in
            workspace.columnSums.withUnsafeMutableBufferPointer { columnSums in
                let s = s.baseAddress!, order = order.baseAddress!, sorted = sorted.baseAddress!
                let matrices = matrices.baseAddress!, columnSums = columnSums.baseAddress
                // Per batch row: the sort, and NeuralSort's column sums.
                scheduler.forEach(items: batch, work: batch * n * (n + 16)) { range in
                    for b in range {
                        kernels.argsort(s + b * n, n, method.direction, order + b * n, sorted + b * n)
                        if case .neuralSort = method { kernels.columnSums(s + b * n, n, columnSums! + b * n) }
                    }
                }
                let blocks = RowBlocks(batch: batch, count: n)
                scheduler.forEach(items: blocks.items, work: batch * matrixSize) { range in
                    for item in range {
                        let (b, _, blockRows) = blocks.item(item)
                        switch method {
                        case .softSort(let temperature, let power, _):
                            let job = SoftSortRowJob(
                                scores: s + b * n, centres: sorted + b * n, matrix: matrices + b * matrixSize,
                                count: n, temperature: temperature, power: power)
                            kernels.softSortForward(job, blockRows)
                        case .neuralSort(let temperature, _):
                            let job = NeuralSortRowJob(
                                scores: s + b * n, columnSums: columnSums! + b * n,
                                matrix: matrices + b * matrixSize, count: n, temperature: temperature,
                                sign: method.sign)
                            kernels.neuralSortForward(job, blockRows)
                        }
                    }
                }
            }}}}}
        }
        var output = workspace.matrices
        if mode == .straightThrough {
            fillPermutationMatrices(&workspace.hardMatrices, workspace.order, batch: batch, count: n)
            output = workspace.hardMatrices
        }
        return RelaxedPermutation(
            batch: batch, count: n, matrices: output, permutation: workspace.order, backend: kernels.backend,
            mode: mode, method: method, scores: scores, sortedScores: workspace.sorted,
            softMatrices: workspace.matrices, kernels: kernels, scheduler: scheduler,
            workspace: callerWorkspace ? workspace : nil)
    }

    /// One-hot rows: row `i` of batch row `b` has its 1 at `order[b * n + i]`.
    static func fillPermutationMatrices<T: SoftSortScalar>(
        _ matrices: inout [T], _ order: [Int], batch: Int, count n: Int
    ) {
        resizeBuffer(&matrices, batch * n * n)
        _ = matrices.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }  // 0.0 is all-zero bits
        for b in 0..<batch {
            for i in 0..<n { matrices[(b * n + i) * n + order[b * n + i]] = 1 }
        }
    }

    /// `dL/ds` given `dL/dP` (through the soft matrices, whatever the mode).
    static func backward<T: SoftSortScalar>(_ state: RelaxedPermutation<T>, matrixGradient: [T]) -> [T] {
        let batch = state.batch, n = state.count, kernels = state.kernels
        // The caller's workspace, or fresh buffers: a result made without one
        // can then run backwards from several threads at once.
        let workspace = state.workspace ?? DenseWorkspace<T>()
        let blocks = RowBlocks(batch: batch, count: n)
        let neural: Bool
        if case .neuralSort = state.method { neural = true } else { neural = false }
        // Per work item: a column partial (and NeuralSort's column-sum partial).
        let partialsPerItem = neural ? 2 * n : n
        resizeBuffer(&workspace.partials, blocks.items * partialsPerItem)
        resizeBuffer(&workspace.centres, batch * n)
        resizeBuffer(&workspace.gradient, batch * n)
        guard batch * n > 0 else { return workspace.gradient }
        state.scores.withUnsafeBufferPointer { s in
        state.softMatrices.withUnsafeBufferPointer { p in
        matrixGradient.withUnsafeBufferPointer { g in
        state.sortedScores.withUnsafeBufferPointer { sorted in
        state.permutation.withUnsafeBufferPointer { order in
        workspace.partials.withUnsafeMutableBufferPointer { partials in
        workspace.centres.withUnsafeMutableBufferPointer { centres in
        workspace.gradient.withUnsafeMutableBufferPointer { out in
            let s = s.baseAddress!, p = p.baseAddress!, g = g.baseAddress!, sorted = sorted.baseAddress!
            let order = order.baseAddress!, partials = partials.baseAddress!
            let centres = centres.baseAddress!, out = out.baseAddress!
            // Each item: its rows, into its own partial (one writer each).
            state.scheduler.forEach(items: blocks.items, work: batch * n * n) { range in
                for item in range {
                    let (b, _, blockRows) = blocks.item(item)
                    let partial = partials + item * partialsPerItem
                    UnsafeMutableRawPointer(partial).initializeMemory(
                        as: UInt8.self, repeating: 0, count: partialsPerItem * MemoryLayout<T>.stride)
                    let block = b * n * n
                    switch state.method {
                    case .softSort(let temperature, let power, _):
                        let job = SoftSortBackwardJob(
                            scores: s + b * n, centres: sorted + b * n, matrix: p + block,
                            matrixGradient: g + block, columnGradient: partial, centreGradient: centres + b * n,
                            count: n, temperature: temperature, power: power)
                        kernels.softSortBackward(job, blockRows)
                    case .neuralSort(let temperature, _):
                        let job = NeuralSortBackwardJob(
                            scores: s + b * n, matrix: p + block, matrixGradient: g + block,
                            scoreGradient: partial, columnSumGradient: partial + n, count: n,
                            temperature: temperature, sign: state.method.sign)
                        kernels.neuralSortBackward(job, blockRows)
                    }
                }
            }
            // Per batch row: sum the partials in block order, then the sort's
            // (SoftSort) or the column sums' (NeuralSort) share.
            state.scheduler.forEach(items: batch, work: blocks.items * partialsPerItem + batch * n * (neural ? n : 1)) { range in
                for b in range {
                    let gradient = out + b * n
                    let first = partials + b * blocks.blocksPerRow * partialsPerItem
                    gradient.update(from: first, count: n)
                    for k in 1..<blocks.blocksPerRow {
                        let partial = first + k * partialsPerItem
                        kernels.accumulate(gradient, partial, 1, n)
                    }
                    if neural {
                        // Fold the column-sum partials into the first block's.
                        let sums = first + n
                        for k in 1..<blocks.blocksPerRow {
                            let partial = first + k * partialsPerItem + n
                            kernels.accumulate(sums, partial, 1, n)
                        }
                        kernels.columnSumsBackward(s + b * n, n, sums, gradient)
                    } else {
                        for i in 0..<n { gradient[order[b * n + i]] += centres[b * n + i] }
                    }
                }
            }
        }}}}}}}}
        return workspace.gradient
    }
}
