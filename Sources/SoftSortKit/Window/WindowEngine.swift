/// The sparse top-window path: sort each batch row, pick each kept row's
/// window of sorted ranks, and run the dense row kernels on the window alone
/// (the columns of a window are contiguous in sorted order). On the
/// scheduler: the sorts per batch row, the kernels per (batch row, block of
/// kept rows), the backward per batch row; each item writes only its own
/// entries, so the bits do not depend on the thread count.
enum WindowEngine {
    static func forward<T: VectorScalar>(
        _ scores: [T], shape: BatchShape, rows k: Int, rule: WindowRule, configuration: Configuration<T>,
        kernels: DenseKernels<T>, sortKeys: [T]? = nil
    ) -> WindowState<T> {
        let batch = shape.batch, n = shape.count, scheduler = configuration.scheduler
        var permutation = [Int](repeating: 0, count: batch * n)
        var sorted = [T](repeating: 0, count: batch * n)
        var firstRank = [Int](repeating: 0, count: batch * k)
        var widths = [Int](repeating: 0, count: batch * k)
        // Per batch row: sort, then choose every window (two pointers for the
        // radius rule: both ends only move forward as the rank grows).
        scores.withBase { s in
        sortKeys.withBase { keys in
        permutation.withMutableBase { p in
        sorted.withMutableBase { x in
        firstRank.withMutableBase { firstRank in
        widths.withMutableBase { widths in
            scheduler.forEachRow(batch, work: 16 * batch * n, scratch: SortedRows.scratchWords(count: n)) { b, scratch in
                let row = b * n
                guard n > 0 else { return }
                SortedRows.sort(
                    s + row, count: n, direction: configuration.direction, order: p + row, sorted: x + row,
                    scratch: scratch, parallel: scheduler.helpers(forItems: batch), keys: keys.map { $0 + row })
                var low = 0, high = 0
                for i in 0..<k {
                    switch rule {
                    case .ranks(let w):
                        low = max(0, i - w)
                        high = min(n - 1, i + min(w, n))
                    case .radius(let radius):
                        let centre = Double(x[row + i])
                        while abs(Double(x[row + low]) - centre) > radius { low += 1 }
                        high = max(high, i)
                        while high + 1 < n && abs(Double(x[row + high + 1]) - centre) <= radius { high += 1 }
                    }
                    firstRank[b * k + i] = low
                    widths[b * k + i] = high - low + 1
                }
            }
        }}}}}}
        var rowOffsets = [Int](repeating: 0, count: batch * k + 1)
        for r in 0..<batch * k { rowOffsets[r + 1] = rowOffsets[r] + widths[r] }
        let total = rowOffsets[batch * k]
        var values = [T](repeating: 0, count: total)
        var droppedMass = [T](repeating: 0, count: batch * k)
        var columns = [Int](repeating: 0, count: total)
        sorted.withBase { x in
        permutation.withBase { p in
        values.withMutableBase { v in
        columns.withMutableBase { c in
        droppedMass.withMutableBase { droppedMass in
            // Items (batch row, block of kept rows): every kept row writes only its
            // own entries, so a single batch row (B = 1) spreads over threads too.
            scheduler.forEach(RowBlocks(batch: batch, count: k), work: 16 * total) { _, item in
                let b = item.row, row = b * n
                for i in item.rows {
                    let r = b * k + i, low = firstRank[r], offset = rowOffsets[r], width = rowOffsets[r + 1] - offset
                    (c + offset).update(from: p + row + low, count: width)
                    kernels.softSortForward(SoftSortRowJob(
                        scores: x + row + low, centres: x + row + i, matrix: v + offset, count: width,
                        temperature: configuration.temperature, power: configuration.power), 0..<1)
                    droppedMass[r] = droppedMassBound(
                        sorted: x + row, count: n, rank: i, low: low, width: width, diagonal: v[offset + i - low],
                        temperature: configuration.temperature, power: configuration.power)
                }
            }
        }}}}}
        return WindowState(
            shape: shape, rows: k, configuration: configuration, kernels: kernels, permutation: permutation,
            sorted: sorted, rowOffsets: rowOffsets, firstRank: firstRank, values: values, columns: columns,
            droppedMass: droppedMass)
    }

    /// `dL/ds` given `dL/dP~` laid out as `values`: the dense backward on each
    /// window, then through the sort.
    static func backward<T: VectorScalar>(_ state: WindowState<T>, gradient: [T]) -> [T] {
        let n = state.shape.count, k = state.rows, batch = state.shape.batch
        var result = [T](repeating: 0, count: batch * n)
        guard batch * n > 0 else { return result }
        let rows = LaneBlocks(batch: batch, lanes: 1)
        state.sorted.withBase { x in
        state.values.withBase { v in
        gradient.withBase { g in
        result.withMutableBase { out in
            // Scratch per range of rows: the row's gradient in sorted order and one centre gradient.
            state.configuration.scheduler.forEach(
                rows, work: 16 * state.values.count, scratch: n + 1, of: T.self
            ) { b, _, sortedGradient in
                let row = b * n, centreGradient = sortedGradient + n
                sortedGradient.initialize(repeating: 0, count: n)
                for i in 0..<k {
                    let r = b * k + i, low = state.firstRank[r]
                    let offset = state.rowOffsets[r], width = state.rowOffsets[r + 1] - offset
                    state.kernels.softSortBackward(SoftSortBackwardJob(
                        scores: x + row + low, centres: x + row + i, matrix: v + offset, matrixGradient: g + offset,
                        columnGradient: sortedGradient + low, centreGradient: centreGradient, count: width,
                        temperature: state.configuration.temperature, power: state.configuration.power), 0..<1)
                    sortedGradient[i] += centreGradient.pointee
                }
                SortedRows.scatterAdd(sortedGradient, order: state.permutation, row: b, count: n, into: out + row)
            }
        }}}}
        return result
    }
}
