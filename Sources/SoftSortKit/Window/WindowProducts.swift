/// Products with the sparse rows of the window path, and the gradient of a
/// product with respect to the kept entries: the window's `P V`, `P^T U`,
/// sorted values and ranks.
///
/// `P~` has `k = state.rows` rows per batch row, each holding the entries
/// `values[rowOffsets[r] ..< rowOffsets[r + 1]]` at `columns`. Each batch row
/// is one work item and sums in entry order: the same bits for every thread count.
enum WindowProducts {
    /// `P~ X` (`transposed` false: `X` is `B x n x d`, the result `B x k x d`)
    /// or `P~^T X` (`X` is `B x k x d`, the result `B x n x d`).
    static func product<T: VectorScalar>(_ state: WindowState<T>, _ input: [T], dimension d: Int, transposed: Bool) -> [T] {
        let n = state.shape.count, k = state.rows
        var output = [T](repeating: 0, count: state.shape.batch * (transposed ? n : k) * d)
        output.withMutableBase { y in
        input.withBase { x in
        state.values.withBase { p in
        state.columns.withBase { columns in
        state.rowOffsets.withBase { offsets in
            state.configuration.scheduler.forEachRow(state.shape.batch, work: state.values.count * max(d, 1)) { b in
                for i in 0..<k {
                    let r = b * k + i
                    for entry in offsets[r] ..< offsets[r + 1] {
                        let column = b * n + columns[entry], weight = p[entry]
                        let (target, source) = transposed ? (column, r) : (r, column)
                        for e in 0..<d { y[target * d + e] += weight * x[source * d + e] }
                    }
                }
            }
        }}}}}
        return output
    }

    /// `dL/dP~` laid out as `values`: entry `(r, j)` gets `<A[r], C[b, j]>`,
    /// `A` `B x k x d` by row, `C` `B x n x d` by column (the gradient of
    /// `<A, P~ C>`).
    static func entryGradient<T: VectorScalar>(_ state: WindowState<T>, rows left: [T], columns right: [T], dimension d: Int) -> [T] {
        let n = state.shape.count, k = state.rows
        var output = [T](repeating: 0, count: state.values.count)
        output.withMutableBase { g in
        left.withBase { a in
        right.withBase { c in
        state.columns.withBase { columns in
        state.rowOffsets.withBase { offsets in
            state.configuration.scheduler.forEachRow(state.shape.batch, work: state.values.count * max(d, 1)) { b in
                for i in 0..<k {
                    let r = b * k + i
                    for entry in offsets[r] ..< offsets[r + 1] {
                        let column = b * n + columns[entry]
                        var sum: T = 0
                        for e in 0..<d { sum += a[r * d + e] * c[column * d + e] }
                        g[entry] = sum
                    }
                }
            }
        }}}}}
        return output
    }

    /// The kept entries as dense rows, `B x k x n`, zero outside the window.
    static func denseRows<T: VectorScalar>(_ state: WindowState<T>) -> [T] {
        let n = state.shape.count
        var dense = [T](repeating: 0, count: state.shape.batch * state.rows * n)
        for r in 0..<state.shape.batch * state.rows {
            for entry in state.rowOffsets[r] ..< state.rowOffsets[r + 1] {
                dense[r * n + state.columns[entry]] = state.values[entry]
            }
        }
        return dense
    }

    /// `dL/dP~` laid out as `values` from a dense `B x k x n` gradient.
    static func gatherEntries<T: VectorScalar>(_ state: WindowState<T>, dense gradient: [T]) -> [T] {
        let n = state.shape.count
        var entries = [T](repeating: 0, count: state.values.count)
        for r in 0..<state.shape.batch * state.rows {
            for entry in state.rowOffsets[r] ..< state.rowOffsets[r + 1] {
                entries[entry] = gradient[r * n + state.columns[entry]]
            }
        }
        return entries
    }
}
