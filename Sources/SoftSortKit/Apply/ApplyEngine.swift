/// The fused `Y = P V` path: sort each batch row and transpose its `V`, then
/// run the apply kernels over (batch row, block of rows) items; `P` is never
/// stored (O(n d) memory per batch row). The backward gives each item its own
/// score and value gradient partials, summed per batch row in block order:
/// bitwise identical for every thread count.
enum ApplyEngine {
    /// At most 16 blocks in all: each backward block keeps an `n (d + 1)`
    /// partial, and apply rows are uniform enough not to need 3 per thread.
    static var maximumItems: Int { 16 }

    static func forward<T: VectorScalar>(_ request: ApplyRequest<T>) -> ApplyState<T> {
        let batch = request.shape.batch, n = request.shape.count, d = request.dimension
        let scheduler = request.configuration.scheduler, direction = request.configuration.direction
        let columnTile = ApplyTiling.defaultColumnTile
        var order = [Int](repeating: 0, count: batch * n)
        var output = [T](repeating: 0, count: batch * n * d)
        let storage = Storage<T>(repeating: 0, count: batch * n * (d + 2))
        let c = storage.base, vt = c + batch * n, z = vt + batch * n * d
        request.scores.withBase { s in
        request.sortKeys.withBase { keys in
        request.values.withBase { v in
        order.withMutableBase { o in
        output.withMutableBase { y in
            guard d > 0 else { return }
            scheduler.forEachRow(
                batch, work: batch * n * (d + 16), scratch: SortedRows.scratchWords(count: n)
            ) { b, scratch in
                let row = b * n
                SortedRows.sort(
                    s + row, count: n, direction: direction, order: o + row, sorted: c + row, scratch: scratch,
                    parallel: scheduler.helpers(forItems: batch), keys: keys.map { $0 + row })
                for i in 0..<n {
                    for k in 0..<d { vt[(b * d + k) * n + i] = v[(row + i) * d + k] }
                }
            }
            let blocks = RowBlocks(batch: batch, count: n, items: maximumItems)
            let scratch = ApplyTiling.scratchCount(count: n, columnTile: columnTile)
            scheduler.forEach(blocks, work: batch * n * n * d, scratch: scratch, of: T.self) { _, item, scratch in
                let row = item.row * n
                request.kernels.forward(ApplyForwardJob(
                    scores: s + row, centres: c + row, values: vt + item.row * n * d, output: y + row * d,
                    normalizers: z + row, count: n, dimension: d, temperature: request.configuration.temperature,
                    power: request.configuration.power, columnTile: columnTile, scratch: scratch), item.rows)
            }
        }}}}}
        return ApplyState(
            shape: request.shape, dimension: d, configuration: request.configuration, kernels: request.kernels,
            columnTile: columnTile, scores: request.scores, permutation: order, storage: storage, output: output)
    }

    /// `(dL/ds, dL/dV)` given `dL/dY`.
    static func backward<T: VectorScalar>(_ state: ApplyState<T>, outputGradient: [T]) -> SoftSortGradient<T> {
        let batch = state.shape.batch, n = state.shape.count, d = state.dimension
        let scheduler = state.configuration.scheduler
        var scoreGradient = [T](repeating: 0, count: batch * n)
        var valueGradient = [T](repeating: 0, count: batch * n * d)
        guard batch * n * d > 0 else { return SoftSortGradient(scores: scoreGradient, values: valueGradient) }
        let blocks = RowBlocks(batch: batch, count: n, items: maximumItems)
        // Per item: a score-gradient partial (n) and a transposed value-gradient partial (n d).
        let partialSize = n * (d + 1)
        // The items' partials, then the centre gradients and <G_i, Y_i> per row.
        let work = Storage<T>(repeating: 0, count: blocks.items * partialSize + 2 * batch * n)
        let partials = work.base, dc = partials + blocks.items * partialSize, dots = dc + batch * n
        let scratch = ApplyTiling.scratchCount(count: n, columnTile: state.columnTile)
        let c = state.sortedScores, v = state.transposedValues, z = state.normalizers
        state.scores.withBase { s in
        state.output.withBase { y in
        outputGradient.withBase { g in
            // <G_i, Y_i> per row.
            scheduler.forEachRow(batch, work: batch * n * d) { b in
                for i in b * n ..< (b + 1) * n { dots[i] = SIMDMemory.dot(g + i * d, y + i * d, d) }
            }
            scheduler.forEach(blocks, work: batch * n * n * d, scratch: scratch, of: T.self) { index, item, scratch in
                let row = item.row * n, partial = partials + index * partialSize
                state.kernels.backward(ApplyBackwardJob(
                    scores: s + row, centres: c + row, values: v + item.row * n * d, normalizers: z + row,
                    outputDots: dots + row, outputGradient: g + row * d, scoreGradient: partial,
                    valueGradient: partial + n, centreGradient: dc + row, count: n, dimension: d,
                    temperature: state.configuration.temperature, power: state.configuration.power,
                    columnTile: state.columnTile, scratch: scratch), item.rows)
            }
        }}}
        // Per batch row: the partials in block order, the centres routed back
        // through the sort, and dL/dV transposed back.
        scoreGradient.withMutableBase { ds in
        valueGradient.withMutableBase { dv in
            scheduler.forEachRow(batch, work: blocks.items * partialSize) { b in
                let row = b * n
                for k in 0..<blocks.blocksPerRow {
                    let partial = partials + (b * blocks.blocksPerRow + k) * partialSize
                    SIMDMemory.accumulate(ds + row, partial, 1, n)
                    for e in 0..<d {
                        for j in 0..<n { dv[(row + j) * d + e] += partial[n + e * n + j] }
                    }
                }
                SortedRows.scatterAdd(dc + row, order: state.permutation, row: b, count: n, into: ds + row)
            }
        }}
        return SoftSortGradient(scores: scoreGradient, values: valueGradient)
    }
}
