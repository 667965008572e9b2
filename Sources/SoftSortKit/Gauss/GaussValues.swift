/// The relaxed sorted values `P s` and ranks `P^T r` on the gauss path, and
/// their backwards (<doc:GaussTransform>, "Sorted values and ranks").
enum GaussValues {
    /// `P s`, `batch x count`, rows sorted, straight from the first moments:
    ///
    ///     (P s)_m = c_m - sum_k P_mk (c_m - c_k) = s_(perm(m)) - sign h M1_m / Z_m
    ///
    /// (never `sum_k P_mk s_k`, which a large offset of the scores would cancel).
    static func sortedValues<T: VectorScalar>(_ state: GaussState<T>) -> [T] {
        let elements = state.shape.elements, step = state.sign * state.bandwidth
        var output = [T](repeating: 0, count: elements)
        output.withMutableBase { output in
        state.sorted.withBase { x in
        state.firstMoments.withBase { m1 in
        state.inverseNormalizers.withBase { inverse in
            for r in 0..<elements { output[r] = T(state.scale * (x[r] - step * m1[r] * inverse[r])) }
        }}}}
        return output
    }

    /// `dL/ds` of `P s` given `dL/d(P s)` (rows sorted): the `P W` backward
    /// with `W` the sorted scores, plus the path through `s` itself.
    static func sortedValuesBackward<T: VectorScalar>(_ state: GaussState<T>, gradient: [T]) -> [T] {
        let n = state.shape.count
        let product = state.sorted.withBase { x in
            GaussProduct.forward(state, dimension: 1) { b, k, _ in x[b * n + k] }
        }
        return gradient.withBase { g in
            GaussProduct.backward(product, throughValues: true) { b, i, _ in Double(g[b * n + i]) }.scores
        }
    }

    /// `P^T r`, `r = (1, ..., n)`, `batch x count` in column order: the
    /// transposed product with `U = r` (`G0[r / Z]` at each sorted point).
    static func ranks<T: VectorScalar>(_ state: GaussState<T>) -> [T] {
        let n = state.shape.count
        let ranks = (0..<state.shape.elements).map { T($0 % max(n, 1) + 1) }
        return GaussTransposed.forward(state, ranks, dimension: 1)
    }

    /// `dL/ds` of `P^T r` given `dL/d(P^T r)` (column order): with
    /// `W[k] = G[perm(k)]`, `<G, P^T r> = <r, P W>`, so the `P W` backward
    /// with upstream `r`.
    static func ranksBackward<T: VectorScalar>(_ state: GaussState<T>, gradient: [T]) -> [T] {
        let n = state.shape.count
        let product = gradient.withBase { g in
            state.permutation.withBase { order in
                GaussProduct.forward(state, dimension: 1) { b, k, _ in Double(g[b * n + order[b * n + k]]) }
            }
        }
        return GaussProduct.backward(product) { _, i, _ in Double(i + 1) }.scores
    }
}
