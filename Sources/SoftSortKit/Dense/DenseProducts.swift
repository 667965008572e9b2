/// Products with the materialised matrices `P` of the dense path, and the
/// matrix gradient of a product: the dense path's `P V`, `P^T U` and ranks.
///
/// Each batch row is one work item; every output element has one writer and
/// sums in index order, so the results are the same bits for every thread
/// count.
enum DenseProducts {
    /// `P X` (`transposed` false: `Y[i] = sum_j P[i, j] X[j]`) or `P^T X`
    /// (`Y[j] = sum_i P[i, j] X[i]`), `B x n x d`.
    static func product<T: VectorScalar>(
        _ matrices: [T], _ input: [T], shape: BatchShape, dimension d: Int, transposed: Bool, scheduler: BatchScheduler
    ) -> [T] {
        let n = shape.count
        var output = [T](repeating: 0, count: shape.elements * d)
        output.withMutableBase { y in
        matrices.withBase { p in
        input.withBase { x in
            scheduler.forEachRow(shape.batch, work: shape.elements * n * max(d, 1)) { b in
                let pb = p + b * n * n, xb = x + b * n * d, yb = y + b * n * d
                for i in 0..<n {
                    for j in 0..<n {
                        let weight = pb[i * n + j]
                        let (target, source) = transposed ? (j, i) : (i, j)
                        for e in 0..<d { yb[target * d + e] += weight * xb[source * d + e] }
                    }
                }
            }
        }}}
        return output
    }

    /// `G[i, j] = <A[i], C[j]>`, `B x n x n`: the gradient of `<A, P C>`
    /// with respect to `P`.
    static func outer<T: VectorScalar>(
        _ left: [T], _ right: [T], shape: BatchShape, dimension d: Int, scheduler: BatchScheduler
    ) -> [T] {
        let n = shape.count
        var output = [T](repeating: 0, count: shape.elements * n)
        output.withMutableBase { g in
        left.withBase { a in
        right.withBase { c in
            scheduler.forEachRow(shape.batch, work: shape.elements * n * max(d, 1)) { b in
                let ab = a + b * n * d, cb = c + b * n * d, gb = g + b * n * n
                for i in 0..<n {
                    for j in 0..<n {
                        var sum: T = 0
                        for e in 0..<d { sum += ab[i * d + e] * cb[j * d + e] }
                        gb[i * n + j] = sum
                    }
                }
            }
        }}}
        return output
    }
}
