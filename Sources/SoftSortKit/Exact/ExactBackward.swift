extension ExactEngine {
    /// The VJP of `P W` given `dL/d(P W)` (rows sorted, `batch x count x d`);
    /// `values` in column order, or `nil` for the state's own scores (`d = 1`,
    /// read sorted from the state). With `wantProduct`, also `P W`. With
    /// `combined` (only for `values: nil`), `scores` receives the score
    /// gradient plus the value gradient (`s` is both) and `values` stays
    /// empty: one scatter instead of two.
    static func applyBackward<T: ScanScalar>(
        _ state: ExactState<T>, values: [T]?, dimension d: Int, gradient: [T], wantProduct: Bool,
        combined: Bool = false
    ) -> ExactGradients<T> {
        precondition(values != nil || d == 1, "the scores have one column")
        precondition(!combined || values == nil, "only the scores' gradients combine")
        let n = state.shape.count, lanes = state.lanes, total = state.shape.elements
        // Every element of each output is written by one block's unpack.
        func uninitialized(_ count: Int) -> [T] {
            [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        var result = ExactGradients<T>(
            scores: uninitialized(total), values: combined ? [] : uninitialized(total * d),
            product: wantProduct ? uninitialized(total * d) : [])
        guard total * d > 0 else { return result }
        let blockSize = lanes * n * d
        // Scratch per range of blocks: W, G, dW, Y, dx and the kernel's scratch.
        let scratch = 4 * blockSize + lanes * n + ScanKernels.backwardScratchCount(count: n, dimension: d, lanes: lanes)
        let scale = state.gradientScale
        let f = state.factors, l = state.left, r = state.right, x = state.sorted
        let fromScores = values == nil
        state.permutation.withBase { permutation in
        (values ?? []).withBase { v in
        gradient.withBase { g in
        result.scores.withMutableBase { scoreGradient in
        result.values.withMutableBase { valueGradient in
        result.product.withMutableBase { product in
            state.configuration.scheduler.forEach(
                state.blocks, work: work(state.shape, dimension: d, passes: 2), scratch: scratch, of: T.self,
                kept: state.scratch
            ) { _, block, buffer in
                let G = buffer + blockSize, dW = G + blockSize, Y = dW + blockSize
                let dx = Y + blockSize, kernelScratch = dx + lanes * n
                let base = block.first * n
                let W = fromScores ? x + base : buffer
                if !fromScores {
                    ScanLayout.packPermuted(
                        v, permutation: permutation, first: block.first, lanes: block.lanes, count: n, dimension: d,
                        into: buffer)
                }
                ScanLayout.packRows(g, first: block.first, lanes: block.lanes, count: n, dimension: d, into: G)
                BackwardScan(
                    factors: f + base, left: l + base, right: r + base, values: W, gradient: G, valueGradient: dW,
                    scoreGradient: dx, output: wantProduct ? Y : nil, count: n, dimension: d, scale: scale,
                    scratch: kernelScratch
                ).run(lanes: block.lanes)
                if combined {
                    // dx + dW in sorted order: the same two operands as adding after two scatters.
                    SIMDMemory.accumulate(dx, dW, 1, block.lanes * n)
                } else {
                    ScanLayout.unpackPermuted(
                        dW, permutation: permutation, first: block.first, lanes: block.lanes, count: n, dimension: d,
                        into: valueGradient)
                }
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
        applyBackward(state, values: nil, dimension: 1, gradient: gradient, wantProduct: false, combined: true).scores
    }

    /// `r = (1, ..., n)` for every batch row.
    static func rankRows<T: ScanScalar>(_ shape: BatchShape) -> [T] {
        var rows = [T](repeating: 0, count: shape.elements)
        for e in 0..<shape.elements { rows[e] = T(e % shape.count + 1) }
        return rows
    }
}
