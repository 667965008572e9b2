extension ExactEngine {
    /// `-sum_(b, i) log P[b, i, t[b, i]]` with its gradient, where
    /// `log P[i, t_i] = -|x_i - s_(t_i)| / tau - log Z_i` is computed directly
    /// (never the log of an underflowed `P`). The loss is summed in `Double`:
    /// one partial per block, then the partials in block order (the same bits
    /// for every thread count). `targets` must lie in `0 ..< count`, so every
    /// write stays in the block's own batch rows.
    static func crossEntropy<T: ScanScalar>(_ state: ExactState<T>, targets: [Int]) -> (loss: Double, gradient: [T]) {
        let n = state.shape.count, lanes = state.lanes
        var gradient = [T](repeating: 0, count: state.shape.elements)
        guard state.shape.elements > 0 else { return (0, gradient) }
        let scale = state.gradientScale, inverseTemperature = 1 / state.configuration.temperature
        let tau = Double(state.configuration.temperature)
        let blocks = state.blocks
        var partials = [Double](repeating: 0, count: blocks.items)
        state.factors.withBase { f in
        state.left.withBase { l in
        state.right.withBase { r in
        state.permutation.withBase { permutation in
        state.scores.withBase { s in
        targets.withBase { t in
        gradient.withMutableBase { out in
        partials.withMutableBase { partials in
            // Scratch per range of blocks: the block's score gradient in sorted order.
            state.configuration.scheduler.forEach(
                blocks, work: work(state.shape), scratch: lanes * n, of: T.self
            ) { index, block, dx in
                let base = block.first * n
                NormalizerGradientScan(
                    factors: f + base, left: l + base, right: r + base, scoreGradient: dx, count: n, scale: scale
                ).run(lanes: block.lanes)
                ScanLayout.unpackPermuted(
                    dx, permutation: permutation, first: block.first, lanes: block.lanes, count: n, dimension: 1,
                    into: out)
                // The direct terms |x_i - s_(t_i)| / tau and log Z_i, in this block's rows only.
                var loss = 0.0
                for lane in 0..<block.lanes {
                    let row = (block.first + lane) * n
                    for i in 0..<n {
                        let own = permutation[row + i], target = t[row + i]
                        let z = 1 + l[base + i * block.lanes + lane] + r[base + i * block.lanes + lane]
                        loss += abs(Double(s[row + own]) - Double(s[row + target])) / tau + Double.libmLog(Double(z))
                        let difference = s[row + own] - s[row + target]
                        let direct: T = difference > 0 ? inverseTemperature : (difference < 0 ? -inverseTemperature : 0)
                        out[row + own] += direct
                        out[row + target] -= direct
                    }
                }
                partials[index] = loss
            }
        }}}}}}}}
        var loss = 0.0
        for partial in partials { loss += partial }
        return (loss, gradient)
    }

    /// `log Z_i` per batch row, `batch x count`, rows sorted.
    static func logNormalizers<T: ScanScalar>(_ state: ExactState<T>) -> [T] {
        let n = state.shape.count
        var output = [T](repeating: 0, count: state.shape.elements)
        state.left.withBase { left in
        state.right.withBase { right in
        output.withMutableBase { output in
            state.configuration.scheduler.forEach(state.blocks, work: work(state.shape)) { _, block in
                let base = block.first * n
                for lane in 0..<block.lanes {
                    for i in 0..<n {
                        let k = base + i * block.lanes + lane
                        output[(block.first + lane) * n + i] = T.libmLog(1 + left[k] + right[k])
                    }
                }
            }
        }}}
        return output
    }
}
