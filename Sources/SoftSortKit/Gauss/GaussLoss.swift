/// SoftSort with `p = 2` through the fast Gauss transform: per row two
/// transforms on the sorted scores instead of the `n x n` matrix.
///
/// With `c` the sorted scores, `P_ij = exp(-(c_i - s_j)^2 / tau) / Z_i` and
/// the row's largest logit `0` (`c_i` is one of the `s_j`), so `Z_i >= 1`:
///
///     L = sum_i [ (c_i - s_(t_i))^2 / tau + log Z_i ]
///     M_i = sum_j K_ij (c_i - s_j)                    (first transform, unit weights)
///     T_j = sum_i (1 / Z_i) K_ij (c_i - s_j)          (second transform, weights 1 / Z_i)
///     dL/ds at the column of rank k = (2 / tau) (T_k - M_k / Z_k), plus the
///     direct terms +-2 (c_i - s_(t_i)) / tau at the columns of rank i and t_i.
///
/// Everything inside runs in `Double`; one row is one thread's work.
enum GaussEngine {
    /// The default bound `epsilon` (`GaussPlan`): entries of `Z` and of the
    /// first moments off by at most `epsilon` per source, which keeps `Float`
    /// results within about 1e-7 relative of the dense `Double` result.
    /// (A looser default for `Float` results, `1e-7 / n`, keeps every `Z_i`
    /// within `1e-7` relative but shrinks the cut-off radius, 4.3 bandwidths
    /// at n = 2: `GaussTransformTests.lossAcrossTemperaturesAndSpreads` then
    /// fails at `Float`, n = 2, tau = 1e-2, spread 1, gradient relative error
    /// 1.0, a gradient made of entries the shorter radius drops. Measured and
    /// left at one default.)
    static let defaultAccuracy = 1e-13

    /// Scratch words for one row of `n`.
    static func scratchWords(count n: Int) -> Int {
        2 * n + max(SortedRows.scratchWords(count: n), 6 * n + GaussCells.scratchWords(count: n))
    }

    /// One row's loss (the return value), `dL/ds` into `gradient` and the
    /// log-normalisers `log Z_i` (rank order) into `logNormalizers`.
    static func crossEntropyRow<T: VectorScalar>(
        scores s: UnsafePointer<T>, targets: UnsafePointer<Int>, count n: Int, temperature tau: Double,
        direction: SortDirection, accuracy: Double?, kernels: GaussKernels, gradient: UnsafeMutablePointer<T>,
        logNormalizers: UnsafeMutablePointer<T>?, scratch: UnsafeMutableRawPointer, sortThreads: BatchScheduler?,
        keys: UnsafePointer<T>? = nil
    ) -> Double {
        guard n > 0 else { return 0 }
        let order = scratch.assumingMemoryBound(to: Int.self)
        let sortedScores = UnsafeMutableRawPointer(order + n).assumingMemoryBound(to: T.self)
        let region = UnsafeMutableRawPointer(order + 2 * n)
        SortedRows.sort(
            s, count: n, direction: direction, order: order, sorted: sortedScores, scratch: region, parallel: sortThreads,
            keys: keys)
        let x = region.assumingMemoryBound(to: Double.self)
        let v = x + n, z = v + n, m1 = z + n, mq = m1 + n, g = mq + n
        let h = tau.squareRoot(), sign: Double = direction == .descending ? -1 : 1
        // The sorted scores in `Double`, and the ascending points in
        // bandwidths, measured from the first sorted score.
        let first = Double(sortedScores[0])
        for r in 0..<n {
            let xr = Double(sortedScores[r])
            x[r] = xr
            v[r] = sign * (xr - first) / h
        }
        let plan = GaussPlan.make(accuracy: accuracy ?? defaultAccuracy, extent: v[n - 1] - v[0], count: n)
        let cells = GaussCells(points: v, count: n, plan: plan, scratch: UnsafeMutableRawPointer(g + n))
        let transform = GaussTransform(plan: plan, points: v, cells: cells, kernels: kernels)
        transform.run(weights: nil, sums: z, moments: m1)
        var loss = 0.0
        if let logNormalizers {
            for r in 0..<n {
                let logZ = Double.libmLog(z[r])
                loss += logZ
                logNormalizers[r] = T(logZ)
                z[r] = 1 / z[r]
            }
        } else {
            // The loss needs only sum log Z: one log per `LogProducts.run` rows.
            var logs = LogProducts()
            for r in 0..<n {
                logs.add(z[r])
                z[r] = 1 / z[r]
            }
            loss = logs.total
        }
        transform.run(weights: z, sums: nil, moments: mq)
        // In rank order: the normaliser terms and the target terms' share at
        // the row's own column, scattered to columns as they are made; then
        // the targets' share.
        let scale = -2 * sign / h
        for i in 0..<n {
            let t = targets[i], d = x[i] - Double(s[t])
            loss += d * d / tau
            let direct = 2 * d / tau
            g[order[i]] = scale * (mq[i] + z[i] * m1[i]) + direct
            m1[i] = direct
        }
        for i in 0..<n { g[targets[i]] -= m1[i] }
        for j in 0..<n { gradient[j] = T(g[j]) }
        return loss
    }

    /// The batch's loss (summed over rows in row order); `dL/ds` into
    /// `workspace.gradient` (sized to `B n`) and, when given, the
    /// log-normalisers (rank order) into `logNormalizers`. `kernels` runs the
    /// transforms' per-point loops (`GaussKernels`). Rows on
    /// `scheduler`, each thread's row scratch the workspace's slice for its
    /// slot (`BatchScheduler.forEachSlot`), so a reused workspace makes no
    /// allocation; the same bits for every thread count and whichever
    /// workspace. `targets` must lie in `0 ..< count`.
    static func crossEntropy<T: VectorScalar>(
        scores s: UnsafePointer<T>, targets t: UnsafePointer<Int>, shape: BatchShape, temperature tau: Double,
        direction: SortDirection, accuracy: Double?, kernels: GaussKernels = .preferred, scheduler: BatchScheduler,
        workspace: LossBuffers<T>, logNormalizers logs: UnsafeMutablePointer<T>? = nil, keys: UnsafePointer<T>? = nil
    ) -> Double {
        let batch = shape.batch, n = shape.count
        return workspace.withGaussPointers(rows: batch, elements: shape.elements) { losses, gradient in
            scheduler.forEachRow(
                batch, work: 64 * shape.elements, scratch: scratchWords(count: n), kept: workspace.rowScratch
            ) { b, scratch in
                losses[b] = crossEntropyRow(
                    scores: s + b * n, targets: t + b * n, count: n, temperature: tau, direction: direction,
                    accuracy: accuracy, kernels: kernels, gradient: gradient + b * n,
                    logNormalizers: logs.map { $0 + b * n },
                    scratch: scratch, sortThreads: scheduler.helpers(forItems: batch), keys: keys.map { $0 + b * n })
            }
            var total = 0.0
            for b in 0..<batch { total += losses[b] }
            return total
        }
    }

    /// As `crossEntropy(scores:targets:shape:temperature:direction:accuracy:scheduler:workspace:logNormalizers:)`
    /// on arrays with a fresh workspace: the loss, `dL/ds` and, when asked,
    /// the log-normalisers (tests and `GaussBenchmarkHooks`).
    static func crossEntropy<T: VectorScalar>(
        scores: [T], targets: [Int], shape: BatchShape, temperature tau: Double, direction: SortDirection,
        accuracy: Double? = nil, scheduler: BatchScheduler, logNormalizers: Bool = false,
        workspace: LossBuffers<T> = LossBuffers()
    ) -> (loss: Double, gradient: [T], logNormalizers: [T]) {
        var logs = [T](repeating: 0, count: logNormalizers ? shape.elements : 0)
        let loss = scores.withBase { s in
            targets.withBase { t in
                logs.withMutableBase { l in
                    crossEntropy(
                        scores: s, targets: t, shape: shape, temperature: tau, direction: direction, accuracy: accuracy,
                        scheduler: scheduler, workspace: workspace, logNormalizers: logNormalizers ? l : nil)
                }
            }
        }
        return (loss, workspace.gradient, logs)
    }
}
