/// Tuning knobs of the fused apply, for benchmarks (`simd-bench kernels`).
package enum ApplyTuning {
    /// Columns per tile of the fused apply (0: whole rows, no tiling).
    /// Set it only while no apply runs.
    nonisolated(unsafe) package static var columnTile = ApplyKernels.defaultColumnTile
}

/// The fused `Y = P V` path: argsort each batch row and transpose its `V`
/// (one work item per batch row), then run the apply kernels over (batch row,
/// block of rows) items on the scheduler; `P` is never stored (O(n d) memory
/// per batch row). The backward gives each item its own score and value
/// gradient partials, summed per batch row in block order: bitwise identical
/// for every thread count.
enum ApplyEngine {
    /// At most 16 blocks in all: each backward block keeps an `n (d + 1)`
    /// partial, and apply rows are uniform enough not to need 3 per thread.
    static let maximumItems = 16

    static func forward<T: SoftSortScalar>(
        values: [T], scores: [T], batch: Int, count n: Int, dimension d: Int,
        temperature: T, power: DistancePower, direction: SortDirection, kernels: ApplyKernelTable<T>,
        scheduler: BatchScheduler
    ) -> RelaxedProduct<T> {
        var order = [Int](repeating: 0, count: batch * n)
        var sorted = [T](repeating: 0, count: batch * n)
        var transposed = [T](repeating: 0, count: batch * n * d)
        var normalizers = [T](repeating: 0, count: batch * n)
        var output = [T](repeating: 0, count: batch * n * d)
        let columnTile = ApplyTuning.columnTile
        if batch * n * d > 0 {
            scores.withUnsafeBufferPointer { s in
            values.withUnsafeBufferPointer { v in
            order.withUnsafeMutableBufferPointer { o in
            sorted.withUnsafeMutableBufferPointer { c in
            transposed.withUnsafeMutableBufferPointer { vt in
            output.withUnsafeMutableBufferPointer { y in
            normalizers.withUnsafeMutableBufferPointer { z in
                let s = s.baseAddress!, v = v.baseAddress!, o = o.baseAddress!, c = c.baseAddress!
                let vt = vt.baseAddress!, y = y.baseAddress!, z = z.baseAddress!
                scheduler.forEach(items: batch, work: batch * n * (d + 16)) { range in
                    for b in range {
                        let row = b * n
                        stableArgsort(
                            UnsafeBufferPointer(start: s + row, count: n), direction: direction,
                            into: UnsafeMutableBufferPointer(start: o + row, count: n))
                        for i in 0..<n {
                            c[row + i] = s[row + o[row + i]]
                            for k in 0..<d { vt[(b * d + k) * n + i] = v[(row + i) * d + k] }
                        }
                    }
                }
                let blocks = RowBlocks(batch: batch, count: n, items: maximumItems)
                scheduler.forEach(items: blocks.items, work: batch * n * n * d) { range in
                    for item in range {
                        let (b, _, rows) = blocks.item(item)
                        let row = b * n
                        let job = ApplyForwardJob(
                            scores: s + row, centres: c + row, values: vt + b * n * d, output: y + row * d,
                            normalizers: z + row, count: n, dimension: d, temperature: temperature,
                            power: power, columnTile: columnTile)
                        kernels.forward(job, rows)
                    }
                }
            }}}}}}}
        }
        return RelaxedProduct(
            batch: batch, count: n, dimension: d, values: output, permutation: order, backend: kernels.backend,
            scores: scores, sortedScores: sorted, transposedValues: transposed, normalizers: normalizers,
            temperature: temperature, power: power, columnTile: columnTile, kernels: kernels,
            scheduler: scheduler)
    }

    /// `(dL/ds, dL/dV)` given `dL/dY`.
    static func backward<T: SoftSortScalar>(_ state: RelaxedProduct<T>, outputGradient: [T]) -> RelaxedProduct<T>.Gradient {
        let batch = state.batch, n = state.count, d = state.dimension
        var scoreGradient = [T](repeating: 0, count: batch * n)
        var valueGradient = [T](repeating: 0, count: batch * n * d)
        guard batch * n * d > 0 else { return RelaxedProduct<T>.Gradient(scores: scoreGradient, values: valueGradient) }
        let blocks = RowBlocks(batch: batch, count: n, items: maximumItems)
        // Per item: a score-gradient partial (n) and a transposed value-gradient partial (n d).
        let partialSize = n * (d + 1)
        var partials = [T](repeating: 0, count: blocks.items * partialSize)
        var centreGradient = [T](repeating: 0, count: batch * n)
        var dots = [T](repeating: 0, count: batch * n)
        state.scores.withUnsafeBufferPointer { s in
        state.sortedScores.withUnsafeBufferPointer { c in
        state.transposedValues.withUnsafeBufferPointer { v in
        state.values.withUnsafeBufferPointer { y in
        state.normalizers.withUnsafeBufferPointer { z in
        state.permutation.withUnsafeBufferPointer { order in
        outputGradient.withUnsafeBufferPointer { g in
        dots.withUnsafeMutableBufferPointer { dots in
        partials.withUnsafeMutableBufferPointer { partials in
        centreGradient.withUnsafeMutableBufferPointer { dc in
        scoreGradient.withUnsafeMutableBufferPointer { ds in
        valueGradient.withUnsafeMutableBufferPointer { dv in
            let s = s.baseAddress!, c = c.baseAddress!, v = v.baseAddress!, y = y.baseAddress!
            let z = z.baseAddress!, order = order.baseAddress!, g = g.baseAddress!, dots = dots.baseAddress!
            let partials = partials.baseAddress!, dc = dc.baseAddress!, ds = ds.baseAddress!, dv = dv.baseAddress!
            let kernels = state.kernels
            // <G_i, Y_i> per row.
            state.scheduler.forEach(items: batch, work: batch * n * d) { range in
                for b in range {
                    for i in b * n ..< (b + 1) * n {
                        var dot: T = 0
                        for k in 0..<d { dot += g[i * d + k] * y[i * d + k] }
                        dots[i] = dot
                    }
                }
            }
            state.scheduler.forEach(items: blocks.items, work: batch * n * n * d) { range in
                for item in range {
                    let (b, _, rows) = blocks.item(item)
                    let row = b * n, partial = partials + item * partialSize
                    let job = ApplyBackwardJob(
                        scores: s + row, centres: c + row, values: v + b * n * d, normalizers: z + row,
                        outputDots: dots + row, outputGradient: g + row * d, scoreGradient: partial,
                        valueGradient: partial + n, centreGradient: dc + row, count: n, dimension: d,
                        temperature: state.temperature, power: state.power, columnTile: state.columnTile)
                    kernels.backward(job, rows)
                }
            }
            // Per batch row: the partials in block order, the centres routed
            // back through the sort, and dL/dV transposed back.
            state.scheduler.forEach(items: batch, work: blocks.items * partialSize) { range in
                for b in range {
                    let row = b * n
                    for k in 0..<blocks.blocksPerRow {
                        let partial = partials + (b * blocks.blocksPerRow + k) * partialSize
                        for j in 0..<n { ds[row + j] += partial[j] }
                        for k in 0..<d {
                            for j in 0..<n { dv[(row + j) * d + k] += partial[n + k * n + j] }
                        }
                    }
                    for i in 0..<n { ds[row + order[row + i]] += dc[row + i] }
                }
            }
        }}}}}}}}}}}}
        return RelaxedProduct<T>.Gradient(scores: scoreGradient, values: valueGradient)
    }
}
