extension ExactEngine {
    /// The VJP of `P W` given `dL/d(P W)` (rows sorted, `batch x count x d`);
    /// `values` in column order. With `wantProduct`, also `P W`.
    static func applyBackward<T: ScanScalar>(
        _ state: ExactState<T>, values: [T], dimension d: Int, gradient: [T], wantProduct: Bool
    ) -> ExactGradients<T> {
        let n = state.shape.count, lanes = state.lanes, total = state.shape.elements
        var result = ExactGradients<T>(
            scores: [T](repeating: 0, count: total), values: [T](repeating: 0, count: total * d),
            product: wantProduct ? [T](repeating: 0, count: total * d) : [])
        guard total * d > 0 else { return result }
        let blockSize = lanes * n * d
        // Scratch per range of blocks: W, G, dW, Y, dx and the kernel's scratch.
        let scratch = 4 * blockSize + lanes * n + ScanKernels.backwardScratchCount(count: n, dimension: d, lanes: lanes)
        let scale = state.gradientScale
        let f = state.factors, l = state.left, r = state.right
        state.permutation.withBase { permutation in
        values.withBase { v in
        gradient.withBase { g in
        result.scores.withMutableBase { scoreGradient in
        result.values.withMutableBase { valueGradient in
        result.product.withMutableBase { product in
            state.configuration.scheduler.forEach(
                state.blocks, work: work(state.shape, dimension: d, passes: 2), scratch: scratch, of: T.self
            ) { _, block, buffer in
                let W = buffer, G = W + blockSize, dW = G + blockSize, Y = dW + blockSize
                let dx = Y + blockSize, kernelScratch = dx + lanes * n
                let base = block.first * n
                ScanLayout.packPermuted(
                    v, permutation: permutation, first: block.first, lanes: block.lanes, count: n, dimension: d, into: W)
                ScanLayout.packRows(g, first: block.first, lanes: block.lanes, count: n, dimension: d, into: G)
                BackwardScan(
                    factors: f + base, left: l + base, right: r + base, values: W, gradient: G, valueGradient: dW,
                    scoreGradient: dx, output: wantProduct ? Y : nil, count: n, dimension: d, scale: scale,
                    scratch: kernelScratch
                ).run(lanes: block.lanes)
                ScanLayout.unpackPermuted(
                    dW, permutation: permutation, first: block.first, lanes: block.lanes, count: n, dimension: d,
                    into: valueGradient)
                ScanLayout.unpackPermuted(
                    dx, permutation: permutation, first: block.first, lanes: block.lanes, count: n, dimension: 1,
                    into: scoreGradient)
                if wantProduct {
                    ScanLayout.unpackRows(Y, first: block.first, lanes: block.lanes, count: n, dimension: d, into: product)
                }
            }
        }}}}}}
        return result
    }

    /// `dL/ds` of `P s`: the score gradient through `P` plus the value
    /// gradient, since `s` is both.
    static func sortedValuesBackward<T: ScanScalar>(_ state: ExactState<T>, gradient: [T]) -> [T] {
        let result = applyBackward(state, values: state.scores, dimension: 1, gradient: gradient, wantProduct: false)
        var total = result.scores
        total.withMutableBase { t in
            result.values.withBase { v in SIMDMemory.accumulate(t, v, 1, state.shape.elements) }
        }
        return total
    }

    /// `r = (1, ..., n)` for every batch row.
    static func rankRows<T: ScanScalar>(_ shape: BatchShape) -> [T] {
        var rows = [T](repeating: 0, count: shape.elements)
        for e in 0..<shape.elements { rows[e] = T(e % shape.count + 1) }
        return rows
    }
}
