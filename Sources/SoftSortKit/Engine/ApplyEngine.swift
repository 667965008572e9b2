/// Tuning knobs of the fused apply, for benchmarks (`simd-bench kernels`).
package enum ApplyTuning {
    /// Columns per tile of the fused apply (0: whole rows, no tiling).
    /// Set it only while no apply runs.
    nonisolated(unsafe) package static var columnTile = ApplyKernels.defaultColumnTile
}

/// The fused `Y = P V` path: argsort each batch row, transpose its `V`, and
/// run the apply kernels over its rows; `P` is never stored (O(n d) memory
/// per batch row).
///
/// Work is a function of (batch row, row range) so a scheduler can later
/// spread rows over threads: each range then needs its own score and value
/// gradient accumulators, summed in a fixed order.
enum ApplyEngine {
    static func forward<T: SoftSortScalar>(
        values: [T], scores: [T], batch: Int, count n: Int, dimension d: Int,
        temperature: T, power: DistancePower, direction: SortDirection, kernels: ApplyKernelTable<T>
    ) -> RelaxedProduct<T> {
        var order = [Int](repeating: 0, count: batch * n)
        var sorted = [T](repeating: 0, count: batch * n)
        var transposed = [T](repeating: 0, count: batch * n * d)
        var normalizers = [T](repeating: 0, count: batch * n)
        var output = [T](repeating: 0, count: batch * n * d)
        let columnTile = ApplyTuning.columnTile
        for b in 0..<batch {
            let row = b * n
            scores.withUnsafeBufferPointer { s in
                order.withUnsafeMutableBufferPointer { o in
                    stableArgsort(
                        UnsafeBufferPointer(rebasing: s[row ..< row + n]), direction: direction,
                        into: UnsafeMutableBufferPointer(rebasing: o[row ..< row + n]))
                }
            }
            for i in 0..<n {
                sorted[row + i] = scores[row + order[row + i]]
                for k in 0..<d { transposed[(b * d + k) * n + i] = values[(row + i) * d + k] }
            }
            scores.withUnsafeBufferPointer { s in
            sorted.withUnsafeBufferPointer { c in
            transposed.withUnsafeBufferPointer { v in
            output.withUnsafeMutableBufferPointer { y in
            normalizers.withUnsafeMutableBufferPointer { z in
                guard n > 0 else { return }
                let job = ApplyForwardJob(
                    scores: s.baseAddress! + row, centres: c.baseAddress! + row,
                    values: v.baseAddress! + b * n * d, output: y.baseAddress! + row * d,
                    normalizers: z.baseAddress! + row, count: n, dimension: d,
                    temperature: temperature, power: power, columnTile: columnTile)
                kernels.forward(job, 0..<n)
            }}}}}
        }
        return RelaxedProduct(
            batch: batch, count: n, dimension: d, values: output, permutation: order, backend: kernels.backend,
            scores: scores, sortedScores: sorted, transposedValues: transposed, normalizers: normalizers,
            temperature: temperature, power: power, columnTile: columnTile, kernels: kernels)
    }

    /// `(dL/ds, dL/dV)` given `dL/dY`.
    static func backward<T: SoftSortScalar>(_ state: RelaxedProduct<T>, outputGradient: [T]) -> RelaxedProduct<T>.Gradient {
        let batch = state.batch, n = state.count, d = state.dimension
        var scoreGradient = [T](repeating: 0, count: batch * n)
        var valueGradient = [T](repeating: 0, count: batch * n * d)
        var transposedGradient = [T](repeating: 0, count: n * d)
        var centreGradient = [T](repeating: 0, count: n)
        var dots = [T](repeating: 0, count: n)
        for b in 0..<batch where n > 0 {
            let row = b * n
            for i in 0..<n {
                var dot: T = 0
                for k in 0..<d { dot += outputGradient[(row + i) * d + k] * state.values[(row + i) * d + k] }
                dots[i] = dot
            }
            for k in transposedGradient.indices { transposedGradient[k] = 0 }
            state.scores.withUnsafeBufferPointer { s in
            state.sortedScores.withUnsafeBufferPointer { c in
            state.transposedValues.withUnsafeBufferPointer { v in
            state.normalizers.withUnsafeBufferPointer { z in
            dots.withUnsafeBufferPointer { dots in
            outputGradient.withUnsafeBufferPointer { g in
            scoreGradient.withUnsafeMutableBufferPointer { ds in
            transposedGradient.withUnsafeMutableBufferPointer { dv in
            centreGradient.withUnsafeMutableBufferPointer { dc in
                let job = ApplyBackwardJob(
                    scores: s.baseAddress! + row, centres: c.baseAddress! + row,
                    values: v.baseAddress! + b * n * d, normalizers: z.baseAddress! + row,
                    outputDots: dots.baseAddress!, outputGradient: g.baseAddress! + row * d,
                    scoreGradient: ds.baseAddress! + row, valueGradient: dv.baseAddress!,
                    centreGradient: dc.baseAddress!, count: n, dimension: d,
                    temperature: state.temperature, power: state.power, columnTile: state.columnTile)
                state.kernels.backward(job, 0..<n)
            }}}}}}}}}
            // The centres are the scores permuted: route their gradient back.
            for i in 0..<n { scoreGradient[row + state.permutation[row + i]] += centreGradient[i] }
            for j in 0..<n {
                for k in 0..<d { valueGradient[(row + j) * d + k] = transposedGradient[k * n + j] }
            }
        }
        return RelaxedProduct<T>.Gradient(scores: scoreGradient, values: valueGradient)
    }
}
