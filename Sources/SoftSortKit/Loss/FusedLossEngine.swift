/// The fused loss path: sort each batch row, then run the fused row kernels
/// over (batch row, block of rows) items (`RowBlocks`, which depend on the
/// shape only), each item into its own gradient partial and its own loss
/// share; then per batch row the partials in block order, and the loss
/// shares in item order. Bitwise identical for every thread count; `O(B n)`
/// memory (the partials: `O((B + 48) n)`), no `n x n` buffer.
enum FusedLossEngine {
    /// `columnSums`: NeuralSort's column-sum kernels (`nil` for SoftSort).
    static func run<T: VectorScalar>(
        _ request: LossRequest<T>, kernels: LossKernels<T>, columnSums: DenseKernels<T>?
    ) -> Loss<T> {
        if ShortRowLossEngine.covers(request, kernels) { return ShortRowLossEngine.run(request, kernels: kernels) }
        let batch = request.shape.batch, n = request.shape.count
        let configuration = request.configuration, scheduler = configuration.scheduler
        let rowsUsed = request.objective.rows(count: n)
        let neural = request.method == .neuralSort
        precondition(!neural || columnSums != nil, "NeuralSort's fused loss needs its column-sum kernels")
        let blocks = RowBlocks(batch: batch, count: rowsUsed)
        let partialSize = neural ? 2 * n : n
        // No chunk for an empty batch: its rows of n would be allocated for nothing.
        let chunks = blocks.items == 0 ? 0 : scheduler.maximumChunks(items: blocks.items)
        let workspace = request.workspace ?? LossBuffers()
        resizeBuffer(&workspace.order, neural ? 0 : batch * n)
        resizeBuffer(&workspace.sorted, neural ? 0 : batch * n)
        resizeBuffer(&workspace.centres, neural ? 0 : batch * n)
        resizeBuffer(&workspace.columnSums, neural ? batch * n : 0)
        resizeBuffer(&workspace.partials, blocks.items * partialSize)
        resizeBuffer(&workspace.losses, blocks.items)
        resizeBuffer(&workspace.rows, chunks * n)
        resizeBuffer(&workspace.gradient, batch * n)
        guard batch * n > 0 else {
            return Loss(value: 0, gradient: workspace.gradient, path: .fused, backend: kernels.backend)
        }
        let temperature = configuration.temperature, direction = configuration.direction
        // The empty array of the unused objective: its base address is never read.
        let targets: [Int], matches: [T], k: Int
        switch request.objective {
        case .crossEntropy(let t): (targets, matches, k) = (t, [], n)
        case .nearestNeighbors(let y, let count): (targets, matches, k) = ([], y, count)
        }
        let weight = -1 / (T(batch) * T(k))
        request.scores.withBase { s in
        request.sortKeys.withBase { keys in
        targets.withBase { t in
        matches.withBase { y in
        workspace.withPointers { w in
            // Per batch row: the sort, or NeuralSort's column sums (O(n^2)).
            scheduler.forEachRow(
                batch, work: batch * n * (neural ? n : 16), scratch: neural ? 0 : SortedRows.scratchWords(count: n)
            ) { b, scratch in
                let row = b * n
                if neural {
                    columnSums!.columnSums(s + row, n, w.columnSums + row)
                } else {
                    SortedRows.sort(
                        s + row, count: n, direction: direction, order: w.order + row, sorted: w.sorted + row,
                        scratch: scratch, keys: keys.map { $0 + row })
                }
            }
            scheduler.forEachChunk(items: blocks.items, work: batch * rowsUsed * n) { chunk, range in
                let buffer = w.rows + chunk * n
                for index in range {
                    let item = blocks.item(index), row = item.row * n
                    let partial = w.partials + index * partialSize
                    partial.initialize(repeating: 0, count: partialSize)
                    switch (request.method, request.objective) {
                    case (.softSort(let power), .crossEntropy):
                        w.losses[index] = kernels.softSortCrossEntropy(SoftSortLossJob(
                            scores: s + row, centres: w.sorted + row, targets: t + row, rowBuffer: buffer,
                            columnGradient: partial, centreGradient: w.centres + row, count: n,
                            temperature: temperature, power: power), item.rows)
                    case (.softSort(let power), .nearestNeighbors):
                        w.losses[index] = kernels.nearestNeighbors(NearestNeighborLossJob(
                            scores: s + row, centres: w.sorted + row, matches: y + row, rowBuffer: buffer,
                            columnGradient: partial, centreGradient: w.centres + row, count: n,
                            temperature: temperature, power: power, weight: weight), item.rows)
                    case (.neuralSort, _):
                        w.losses[index] = kernels.neuralSortCrossEntropy(NeuralSortLossJob(
                            scores: s + row, columnSums: w.columnSums + row, targets: t + row, rowBuffer: buffer,
                            scoreGradient: partial, columnSumGradient: partial + n, count: n,
                            temperature: temperature, sign: configuration.sign), item.rows)
                    }
                }
            }
            let reduceWork = blocks.items * partialSize + batch * n * (neural ? n : 1)
            scheduler.forEachRow(batch, work: reduceWork) { b in
                let gradient = w.gradient + b * n
                let first = w.partials + b * blocks.blocksPerRow * partialSize
                gradient.update(from: first, count: n)
                for block in 1..<blocks.blocksPerRow {
                    SIMDMemory.accumulate(gradient, first + block * partialSize, 1, n)
                }
                if neural {
                    for block in 1..<blocks.blocksPerRow {
                        SIMDMemory.accumulate(first + n, first + block * partialSize + n, 1, n)
                    }
                    columnSums!.columnSumsBackward(s + b * n, n, first + n, gradient)
                } else {
                    // The centres' gradient, routed back to their columns.
                    let order = w.order + b * n, centres = w.centres + b * n
                    for i in 0..<rowsUsed { gradient[order[i]] += centres[i] }
                }
            }
        }}}}}
        var total = 0.0
        for index in 0..<blocks.items { total += workspace.losses[index] }
        if case .nearestNeighbors = request.objective { total *= -1 / (Double(batch) * Double(k)) }
        return Loss(value: T(total), gradient: workspace.gradient, path: .fused, backend: kernels.backend)
    }
}
