extension ExactEngine {
    /// `-sum_(b, i) log P[b, i, t[b, i]]` with its gradient, where
    /// `log P[i, t_i] = -|x_i - s_(t_i)| / tau - log Z_i` is computed directly
    /// (never the log of an underflowed `P`). The loss is summed in `Double`,
    /// `sum log Z_i` as logs of products of `LogProducts.run` normalisers:
    /// one partial per block, then the partials in block order (the same bits
    /// for every thread count). `targets` must lie in `0 ..< count`, so every
    /// write stays in the block's own batch rows.
    static func crossEntropy<T: ScanScalar>(_ state: ExactState<T>, targets: [Int]) -> (loss: Double, gradient: [T]) {
        // Every element is written: each block's scatter fills its rows' columns before the direct terms.
        var gradient = [T](unsafeUninitializedCapacity: state.shape.elements) { _, initialized in
            initialized = state.shape.elements
        }
        var partials = [Double](repeating: 0, count: state.blocks.items)
        let loss = gradient.withMutableBase { out in
            partials.withMutableBase { partials in
                crossEntropy(state, targets: targets, into: out, partials: partials)
            }
        }
        return (loss, gradient)
    }

    /// The cross-entropy of checked scores and targets in `workspace`'s
    /// buffers: the state lives for this call only (its permutation, storage
    /// and scratch the workspace's), the gradient goes to `workspace.gradient`,
    /// the blocks' partial losses to `workspace.losses`.
    static func crossEntropy<T: ScanScalar>(
        _ scores: [T], targets: [Int], shape: BatchShape, configuration: Configuration<T>, kernels: BackendKernels<T>,
        workspace: LossBuffers<T>, sortKeys: [T]?
    ) -> Double {
        let state = prepare(
            scores, shape: shape, configuration: configuration, kernels: kernels, workspace: workspace, lendsOrder: true,
            sortKeys: sortKeys)
        resizeBuffer(&workspace.gradient, shape.elements)
        resizeBuffer(&workspace.losses, state.blocks.items)
        let loss = workspace.gradient.withMutableBase { out in
            workspace.losses.withMutableBase { partials in
                crossEntropy(state, targets: targets, into: out, partials: partials)
            }
        }
        workspace.order = state.permutation
        return loss
    }

    /// `crossEntropy(_:targets:)` into `out` (`batch x count`, every element
    /// written), each block's partial loss in `partials` (`blocks.items`,
    /// every one written), each range of blocks' scratch from the state's.
    static func crossEntropy<T: ScanScalar>(
        _ state: ExactState<T>, targets: [Int], into out: UnsafeMutablePointer<T>,
        partials: UnsafeMutablePointer<Double>
    ) -> Double {
        let n = state.shape.count, lanes = state.lanes
        guard state.shape.elements > 0 else { return 0 }
        let scale = state.gradientScale, inverseTemperature = 1 / state.configuration.temperature
        let tau = Double(state.configuration.temperature)
        let blocks = state.blocks
        let f = state.factors, l = state.left, r = state.right, x = state.sorted
        state.permutation.withBase { permutation in
        state.scores.withBase { s in
        targets.withBase { t in
            // Scratch per range of blocks: the block's score gradient in sorted
            // order, then the normalizer gradient's scratch (two blocks), whose
            // first block then holds the direct terms.
            state.configuration.scheduler.forEach(
                blocks, work: work(state.shape), scratch: 3 * lanes * n, of: T.self, kept: state.scratch
            ) { index, block, dx in
                let base = block.first * n, directs = dx + lanes * n
                NormalizerGradientScan(
                    factors: f + base, left: l + base, right: r + base, scoreGradient: dx, count: n, scale: scale,
                    scratch: directs
                ).run(lanes: block.lanes)
                // The direct terms |x_i - s_(t_i)| / tau and log Z_i, in this block's rows only
                // (x_i, the score of rank i, from the state: no gather through the permutation).
                // The +1/tau at rank i's own column joins dx as it goes to that column (the
                // one scatter through the permutation, each column written once).
                var distances = 0.0
                var logs = LogProducts()
                for lane in 0..<block.lanes {
                    let row = (block.first &+ lane) &* n
                    let rowTargets = t + row, rowScores = s + row, rowOrder = permutation + row, rowOutput = out + row
                    var e = lane
                    for i in 0..<n {
                        let k = base &+ e
                        let z = 1 + l[k] + r[k], xi = x[k], st = rowScores[rowTargets[i]]
                        distances += abs(Double(xi) - Double(st))
                        logs.add(Double(z))
                        // sign(x_i - s_(t_i)) / tau without a branch (the sign is a coin flip
                        // early in training), 0 where they are equal.
                        let direct = T.signTimes(xi - st, inverseTemperature)
                        rowOutput[rowOrder[i]] = dx[e] + direct
                        directs[e] = direct
                        e &+= block.lanes
                    }
                }
                for lane in 0..<block.lanes {
                    let row = (block.first &+ lane) &* n
                    let rowTargets = t + row, rowOutput = out + row
                    for i in 0..<n { rowOutput[rowTargets[i]] -= directs[i &* block.lanes &+ lane] }
                }
                partials[index] = distances / tau + logs.total
            }
        }}}
        var loss = 0.0
        for index in 0..<blocks.items { loss += partials[index] }
        return loss
    }

    /// `log Z_i` per batch row, `batch x count`, rows sorted.
    static func logNormalizers<T: ScanScalar>(_ state: ExactState<T>) -> [T] {
        let n = state.shape.count
        var output = [T](repeating: 0, count: state.shape.elements)
        let left = state.left, right = state.right
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
        }
        return output
    }
}
