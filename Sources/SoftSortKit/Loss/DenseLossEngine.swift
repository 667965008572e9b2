/// The `.dense` loss path, the reference the fused one is checked against:
/// the dense forward materialises `P` (`B x n x n`), then plain generic loops
/// per batch row compute the loss and `dL/ds` from it. No log of an
/// underflowed entry is ever taken:
///
/// - SoftSort: row `i`'s largest logit is 0, at its own sorted column
///   `perm_i`, so `log Z_i = -log P[i, perm_i]` (`P[i, perm_i] >= 1 / n`) and
///   `log P[i, t] = -|c_i - s_t|^p / tau - log Z_i`.
/// - NeuralSort: with `m` the row's largest entry (`P[i, m] >= 1 / n`),
///   `log P[i, t] = z_it - z_im + log P[i, m]`, `z_im - z_it` formed as
///   `(w_m - w_t) / tau` from the numerators `w` (in `T`, as the forward),
///   so it is finite wherever the loss is.
///
/// Then `dL/dz = P - onehot` (kNN: `w P (y - m_i)`) through the logits, as
/// the dense backward does. A batch row is one work item, so the result is
/// the same for every thread count.
enum DenseLossEngine {
    static func run<T: VectorScalar>(_ request: LossRequest<T>, kernels: DenseKernels<T>) -> Loss<T> {
        let batch = request.shape.batch, n = request.shape.count
        let configuration = request.configuration
        let workspace = request.workspace ?? LossBuffers()
        let (matrices, state) = DenseEngine.forward(DenseRequest(
            scores: request.scores, shape: request.shape, method: request.method, mode: .soft,
            configuration: configuration, kernels: kernels, workspace: workspace.dense, sortKeys: request.sortKeys))
        var gradient = [T](repeating: 0, count: batch * n)
        var losses = [Double](repeating: 0, count: batch)
        // NeuralSort's dL/dc per batch row.
        var columnSumGradient = [T](repeating: 0, count: request.method == .neuralSort ? batch * n : 0)
        let tau = configuration.temperature, rowsUsed = request.objective.rows(count: n)
        let targets: [Int], matches: [T], k: Int
        switch request.objective {
        case .crossEntropy(let t): (targets, matches, k) = (t, [], n)
        case .nearestNeighbors(let y, let count): (targets, matches, k) = ([], y, count)
        }
        let weight = -1 / (T(batch) * T(k))
        let columnSums = workspace.dense.columnSums
        matrices.withBase { p in
        request.scores.withBase { scores in
        state.sortedScores.withBase { sorted in
        state.permutation.withBase { order in
        columnSums.withBase { columnSums in
        targets.withBase { targets in
        matches.withBase { matches in
        gradient.withMutableBase { gradient in
        losses.withMutableBase { losses in
        columnSumGradient.withMutableBase { columnSumGradient in
            configuration.scheduler.forEachRow(batch, work: batch * n * n) { b in
                let s = scores + b * n, out = gradient + b * n
                var loss = 0.0
                for i in 0..<rowsUsed {
                    let row = p + (b * n + i) * n
                    switch request.method {
                    case .softSort(let power):
                        let own = order[b * n + i], centre = sorted[b * n + i]
                        var centreGradient: T = 0
                        if case .nearestNeighbors = request.objective {
                            var mean: T = 0
                            for j in 0..<n { mean += row[j] * matches[b * n + j] }
                            loss += Double(mean)
                            for j in 0..<n {
                                let g = weight * row[j] * (matches[b * n + j] - mean)
                                let u = g * Distance.derivative(centre - s[j], power) / tau
                                out[j] += u
                                centreGradient -= u
                            }
                        } else {
                            let t = targets[b * n + i]
                            loss += Distance.value(Double(centre) - Double(s[t]), power) / Double(tau)
                                - Double.libmLog(Double(row[own]))
                            for j in 0..<n {
                                let g = row[j] - (j == t ? 1 : 0)
                                let u = g * Distance.derivative(centre - s[j], power) / tau
                                out[j] += u
                                centreGradient -= u
                            }
                        }
                        out[own] += centreGradient
                    case .neuralSort:
                        let c = columnSums + b * n, dc = columnSumGradient + b * n
                        let coefficient = configuration.sign * T(n - 1 - 2 * i)
                        var largest = 0
                        for j in 1..<max(n, 1) where row[j] > row[largest] { largest = j }
                        let t = targets[b * n + i]
                        // z_im - z_it from the numerators w = a s - c, formed in T as
                        // the forward forms them (so that the row's largest P is at the
                        // largest w), their difference divided once: no logit of its own,
                        // which may overflow where the difference does not.
                        let wt = coefficient * s[t] - c[t], wm = coefficient * s[largest] - c[largest]
                        loss += (Double(wm) - Double(wt)) / Double(tau) - Double.libmLog(Double(row[largest]))
                        for j in 0..<n {
                            let g = (row[j] - (j == t ? 1 : 0)) / tau
                            out[j] += coefficient * g
                            dc[j] -= g
                        }
                    }
                }
                if request.method == .neuralSort {
                    // c_j = sum_k |s_j - s_k|: dL/ds_j += sum_k (dc_j + dc_k) sign(s_j - s_k).
                    let dc = columnSumGradient + b * n
                    for j in 0..<n {
                        for k in 0..<n where s[j] != s[k] {
                            out[j] += s[j] > s[k] ? dc[j] + dc[k] : -(dc[j] + dc[k])
                        }
                    }
                }
                losses[b] = loss
            }
        }}}}}}}}}}
        var total = 0.0
        for loss in losses { total += loss }
        if case .nearestNeighbors = request.objective, batch > 0 { total *= -1 / (Double(batch) * Double(k)) }
        return Loss(value: T(total), gradient: gradient, path: .dense, backend: kernels.backend)
    }
}
