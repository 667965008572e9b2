/// `P^T U` on the gauss path and its backward: the ranks' transform
/// (`GaussValues.ranks`) with any weights `U` in place of `r`.
enum GaussTransposed {
    /// `P^T U`, `batch x count x dimension` in column order, `U` `batch x
    /// count x dimension` with rows sorted: per dimension `e`,
    /// `G0[U_e / Z]` at each sorted point, then to its column.
    static func forward<T: VectorScalar>(_ state: GaussState<T>, _ input: [T], dimension d: Int) -> [T] {
        let n = state.shape.count, elements = state.shape.elements
        var output = [T](repeating: 0, count: elements * d)
        output.withMutableBase { output in
        input.withBase { u in
        state.permutation.withBase { order in
        state.points.withBase { v in
        state.inverseNormalizers.withBase { inverse in
            state.scheduler.forEachRow(
                state.shape.batch, work: 64 * elements * max(d, 1),
                scratch: GaussRowTransform.alignedWords(3 * n) + GaussRowTransform.scratchWords(count: n),
                kept: state.workspace?.scratch
            ) { b, scratch in
                guard n > 0 else { return }
                let row = b * n
                let weights = scratch.assumingMemoryBound(to: Double.self), sums = weights + n, moments = sums + n
                let transform = GaussRowTransform(
                    points: v + row, count: n, accuracy: state.accuracy,
                    scratch: UnsafeMutableRawPointer(weights + GaussRowTransform.alignedWords(3 * n)))
                for e in 0..<d {
                    for i in 0..<n { weights[i] = Double(u[(row + i) * d + e]) * inverse[row + i] }
                    transform.run(weights: weights, sums: sums, moments: moments)
                    for k in 0..<n { output[(row + order[row + k]) * d + e] = T(sums[k]) }
                }
            }
        }}}}}
        return output
    }

    /// `dL/ds` and `dL/dU` given `H = dL/d(P^T U)` (column order): with
    /// `W[k] = H[perm(k)]`, `<H, P^T U> = <U, P W>`, so `dL/dU = P W` and
    /// `dL/ds` is the `P W` backward with upstream `U`.
    static func backward<T: VectorScalar>(
        _ state: GaussState<T>, _ input: [T], dimension d: Int, gradient: [T]
    ) -> SoftSortGradient<T> {
        let n = state.shape.count
        let product = gradient.withBase { h in
            state.permutation.withBase { order in
                GaussProduct.forward(state, dimension: d) { b, k, e in Double(h[(b * n + order[b * n + k]) * d + e]) }
            }
        }
        let scores = input.withBase { u in
            GaussProduct.backward(product) { b, i, e in Double(u[(b * n + i) * d + e]) }.scores
        }
        return SoftSortGradient(scores: scores, values: product.output())
    }
}
