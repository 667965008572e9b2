/// `Y = P V` on the gauss path and what its backward reads: per batch row
/// and value dimension `e` (each `batch x dimension x count`, rows sorted,
/// `Double`) the centred values `W'_e[k] = V[perm(k), e] - mean_e`, the
/// centred product `Y'_e = P W'_e` and the first moments
/// `F1_e[i] = sum_k g(v_i - v_k) (v_i - v_k) W'_e[k]`.
///
/// Centring costs nothing (`P` is row-stochastic: `P V = P W' + mean`) and
/// keeps a large common offset of the values out of the backward's brackets.
struct GaussProductState<T: SoftSortScalar>: Sendable {
    let state: GaussState<T>
    let dimension: Int
    let centred: [Double]
    let product: [Double]
    let moments: [Double]
    /// `mean_e` per batch row, `batch x dimension`.
    let means: [Double]

    /// `Y = P V = Y' + mean`, `batch x count x dimension`, rows sorted.
    func output() -> [T] where T: VectorScalar {
        let n = state.shape.count, d = dimension
        // Empty rows: nothing to write (and B d, unchecked then, may not fit).
        guard state.shape.elements > 0 else { return [] }
        var output = [T](repeating: 0, count: state.shape.elements * d)
        output.withMutableBase { output in
            for b in 0..<state.shape.batch {
                for e in 0..<d {
                    let y = b * n * d + e * n, mean = means[b * d + e]
                    for i in 0..<n { output[(b * n + i) * d + e] = T(product[y + i] + mean) }
                }
            }
        }
        return output
    }
}

/// The forward and backward of `P W` on the gauss path (<doc:GaussTransform>,
/// "P V and its backward"), with `W` any values in sorted order: `V` for
/// `apply`, the sorted scores for `sortedValues`, the upstream gradient for
/// the ranks' backward.
enum GaussProduct {
    /// `P W` and its state; `value(row, rank, e)` is `W[rank, e]` of batch
    /// row `row` (ranks sorted), read once per entry.
    static func forward<T: VectorScalar>(
        _ state: GaussState<T>, dimension d: Int, value: (_ row: Int, _ rank: Int, _ e: Int) -> Double
    ) -> GaussProductState<T> {
        let n = state.shape.count, batch = state.shape.batch, elements = state.shape.elements * d
        // The workspace's buffers, moved out so that they are written in place
        // (every element is written below).
        var buffers = GaussProductBuffers()
        if let workspace = state.workspace { swap(&buffers, &workspace.product) }
        // B d fits when B n d does with n >= 1; empty rows keep no means.
        buffers.resize(elements: elements, means: elements == 0 ? 0 : batch * d)
        buffers.centred.withMutableBase { centred in
        buffers.product.withMutableBase { product in
        buffers.moments.withMutableBase { moments in
        buffers.means.withMutableBase { means in
        state.points.withBase { v in
        state.inverseNormalizers.withBase { inverse in
            state.scheduler.forEachRow(
                batch, work: 64 * elements, scratch: GaussRowTransform.scratchWords(count: n), kept: state.workspace?.scratch
            ) { b, scratch in
                guard n > 0 else { return }
                let row = b * n, block = b * n * d
                let transform = GaussRowTransform(points: v + row, count: n, accuracy: state.accuracy, scratch: scratch)
                let inverse = inverse + row
                for e in 0..<d {
                    let w = centred + block + e * n, y = product + block + e * n
                    var mean = 0.0
                    for k in 0..<n {
                        w[k] = value(b, k, e)
                        mean += w[k]
                    }
                    mean /= Double(n)
                    for k in 0..<n { w[k] -= mean }
                    means[b * d + e] = mean
                    transform.run(weights: w, sums: y, moments: moments + block + e * n)
                    for i in 0..<n { y[i] *= inverse[i] }
                }
            }
        }}}}}}
        state.workspace?.product = buffers
        return GaussProductState(
            state: state, dimension: d, centred: buffers.centred, product: buffers.product, moments: buffers.moments,
            means: buffers.means)
    }

    /// `dL/ds` and `dL/dW` of `Y = P W` given `G = dL/dY`, `upstream(row,
    /// rank, e)` (rows sorted); both results in column order (`dL/dW` laid
    /// out as `V`, `batch x count x dimension`):
    ///
    ///     dL/dW_e    = G0[G_e / Z]
    ///     dL/dx_m    = -2 sign / h * [ a_m / Z_m + sum_e W'_e[m] H1_e[m] - Omega1[m] ]
    ///     a_m        = sum_e G_e[m] F1_e[m] - <G_m, Y'_m> M1_m
    ///     H1_e       = G1[G_e / Z],   Omega1 = G1[<G, Y'> / Z]
    ///
    /// `throughValues` (`d = 1`, `W` the scaled sorted scores `x = s / c`)
    /// adds `dL/dW` to `dL/ds` in `Double`: the gradient of `P s` through `s`.
    static func backward<T: VectorScalar>(
        _ product: GaussProductState<T>, throughValues: Bool = false,
        upstream: (_ row: Int, _ rank: Int, _ e: Int) -> Double
    ) -> SoftSortGradient<T> {
        let state = product.state, d = product.dimension
        let n = state.shape.count, elements = state.shape.elements
        // The workspace's buffers, moved out so that they are written in place
        // (every element is written below).
        var buffers = GaussGradientBuffers<T>()
        if let workspace = state.workspace { swap(&buffers, &workspace.gradient) }
        resizeBuffer(&buffers.scores, elements)
        resizeBuffer(&buffers.values, elements * d)
        precondition(!throughValues || d == 1)
        // `W = s / c` carries the scale once more: `dL/dx` through `P` is `c` times larger.
        let factor = state.gradientFactor * (throughValues ? state.scale : 1)
        let words = GaussRowTransform.scratchWords(count: n) + GaussRowTransform.alignedWords(5 * n)
        buffers.scores.withMutableBase { scores in
        buffers.values.withMutableBase { values in
        product.centred.withBase { centred in
        product.product.withBase { y in
        product.moments.withBase { f1 in
        state.permutation.withBase { order in
        state.points.withBase { v in
        state.inverseNormalizers.withBase { inverse in
        state.firstMoments.withBase { m1 in
            state.scheduler.forEachRow(
                state.shape.batch, work: 64 * elements * (d + 1), scratch: words, kept: state.workspace?.scratch
            ) { b, scratch in
                guard n > 0 else { return }
                let row = b * n, block = b * n * d
                let buffers = scratch.assumingMemoryBound(to: Double.self)
                let weights = buffers, dW = weights + n, h1 = dW + n, bracket = h1 + n, omega = bracket + n
                let transform = GaussRowTransform(
                    points: v + row, count: n, accuracy: state.accuracy,
                    scratch: UnsafeMutableRawPointer(buffers + GaussRowTransform.alignedWords(5 * n)))
                let inverse = inverse + row, m1 = m1 + row, order = order + row
                for i in 0..<n {
                    var gf = 0.0, gy = 0.0
                    for e in 0..<d {
                        let ge = upstream(b, i, e)
                        gf += ge * f1[block + e * n + i]
                        gy += ge * y[block + e * n + i]
                    }
                    bracket[i] = (gf - gy * m1[i]) * inverse[i]
                    omega[i] = gy * inverse[i]
                }
                for e in 0..<d {
                    for i in 0..<n { weights[i] = upstream(b, i, e) * inverse[i] }
                    transform.run(weights: weights, sums: dW, moments: h1)
                    let w = centred + block + e * n
                    for k in 0..<n {
                        bracket[k] += w[k] * h1[k]
                        values[(row + order[k]) * d + e] = T(dW[k])
                    }
                }
                transform.run(weights: omega, sums: nil, moments: h1)
                for m in 0..<n {
                    scores[row + order[m]] = T(factor * (bracket[m] - h1[m]) + (throughValues ? dW[m] : 0))
                }
            }
        }}}}}}}}}
        state.workspace?.gradient = buffers
        return SoftSortGradient(scores: buffers.scores, values: buffers.values)
    }
}
