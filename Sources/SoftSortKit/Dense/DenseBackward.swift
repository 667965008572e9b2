extension DenseEngine {
    /// `dL/ds` given `dL/dP`, through the soft matrices whatever the mode:
    /// the row kernels over (batch row, block) items, each into its own
    /// column partial, then per batch row the partials in block order and the
    /// sort's (SoftSort) or the column sums' (NeuralSort) share.
    static func backward<T: VectorScalar>(_ state: DenseState<T>, matrixGradient: [T]) -> [T] {
        let batch = state.shape.batch, n = state.shape.count, kernels = state.kernels
        let temperature = state.configuration.temperature, scheduler = state.configuration.scheduler
        // The caller's workspace, or fresh buffers: a result made without one
        // can then run backwards from several threads at once.
        let workspace = state.workspace ?? DenseBuffers<T>()
        let blocks = RowBlocks(batch: batch, count: n)
        let neural = state.method == .neuralSort
        // Per work item: a column partial (and NeuralSort's column-sum partial).
        let partialSize = neural ? 2 * n : n
        resizeBuffer(&workspace.partials, blocks.items * partialSize)
        resizeBuffer(&workspace.centres, batch * n)
        resizeBuffer(&workspace.gradient, batch * n)
        guard batch * n > 0 else { return workspace.gradient }
        state.scores.withBase { s in
        state.softMatrices.withBase { p in
        matrixGradient.withBase { g in
        state.sortedScores.withBase { sorted in
        workspace.withBackwardPointers { w in
            scheduler.forEach(blocks, work: batch * n * n) { index, item in
                let partial = w.partials + index * partialSize, row = item.row * n, block = item.row * n * n
                partial.initialize(repeating: 0, count: partialSize)
                switch state.method {
                case .softSort(let power):
                    kernels.softSortBackward(SoftSortBackwardJob(
                        scores: s + row, centres: sorted + row, matrix: p + block, matrixGradient: g + block,
                        columnGradient: partial, centreGradient: w.centres + row, count: n,
                        temperature: temperature, power: power), item.rows)
                case .neuralSort:
                    kernels.neuralSortBackward(NeuralSortBackwardJob(
                        scores: s + row, matrix: p + block, matrixGradient: g + block, scoreGradient: partial,
                        columnSumGradient: partial + n, count: n, temperature: temperature,
                        sign: state.configuration.sign), item.rows)
                }
            }
            let reduceWork = blocks.items * partialSize + batch * n * (neural ? n : 1)
            scheduler.forEachRow(batch, work: reduceWork) { b in
                let gradient = w.gradient + b * n
                let first = w.partials + b * blocks.blocksPerRow * partialSize
                gradient.update(from: first, count: n)
                for k in 1..<blocks.blocksPerRow {
                    SIMDMemory.accumulate(gradient, first + k * partialSize, 1, n)
                }
                if neural {
                    // Fold the column-sum partials into the first block's.
                    for k in 1..<blocks.blocksPerRow {
                        SIMDMemory.accumulate(first + n, first + k * partialSize + n, 1, n)
                    }
                    kernels.columnSumsBackward(s + b * n, n, first + n, gradient)
                } else {
                    SortedRows.scatterAdd(w.centres + b * n, order: state.permutation, row: b, count: n, into: gradient)
                }
            }
        }}}}}
        return workspace.gradient
    }

    /// `M s`: `batch x count`, entry `i` of row `b` is `<M[b, i, :], s[b, :]>`.
    static func sortedValues<T: VectorScalar>(_ state: DenseState<T>, matrices: [T]) -> [T] {
        let batch = state.shape.batch, n = state.shape.count
        var values = [T](repeating: 0, count: batch * n)
        matrices.withBase { p in
        state.scores.withBase { s in
        values.withMutableBase { out in
            state.configuration.scheduler.forEachRow(batch, work: batch * n * n) { b in
                for i in 0..<n { out[b * n + i] = SIMDMemory.dot(p + (b * n + i) * n, s + b * n, n) }
            }
        }}}
        return values
    }

    /// `dL/ds` given `g = dL/d(P s)`, through both `P` and `s`:
    ///
    ///     dL/ds[j] = sum_i g[i] P[i, j]  +  backward(G)[j],   G[i, j] = g[i] s[j]
    static func sortedValuesBackward<T: VectorScalar>(_ state: DenseState<T>, gradient: [T]) -> [T] {
        let batch = state.shape.batch, n = state.shape.count
        var matrixGradient = [T](repeating: 0, count: batch * n * n)
        var direct = [T](repeating: 0, count: batch * n)
        state.scores.withBase { s in
        state.softMatrices.withBase { p in
        gradient.withBase { upstream in
        matrixGradient.withMutableBase { g in
        direct.withMutableBase { direct in
            state.configuration.scheduler.forEachRow(batch, work: batch * n * n) { b in
                for i in 0..<n {
                    let row = (b * n + i) * n, factor = upstream[b * n + i]
                    SIMDMemory.accumulate(g + row, s + b * n, factor, n)            // G_i = g_i s
                    SIMDMemory.accumulate(direct + b * n, p + row, factor, n)       // P^T g
                }
            }
        }}}}}
        let throughP = backward(state, matrixGradient: matrixGradient)
        throughP.withBase { t in direct.withMutableBase { SIMDMemory.accumulate($0, t, 1, batch * n) } }
        return direct
    }
}
