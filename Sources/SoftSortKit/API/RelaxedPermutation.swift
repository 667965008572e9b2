/// The result of a forward pass over a batch: relaxed permutation matrices,
/// the hard permutations, and what the backward needs.
///
/// Element `(b, i, j)` of `matrices` sits at `(b * count + i) * count + j`.
/// Keep the value to call `backward(_:)`: it holds the scores, their sorted
/// order and the soft matrices, so nothing is recomputed.
public struct RelaxedPermutation<T: SoftSortScalar>: Sendable {
    /// The number of score rows.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int
    /// `batch x count x count` row-stochastic matrices: the soft `P`, or with
    /// `OutputMode.straightThrough`, the exact permutation matrices.
    public let matrices: [T]
    /// `batch x count` hard permutations: `permutation[b * count + i]` is the
    /// column of the `i`-th largest score of row `b` (smallest, ascending),
    /// ties broken by index (a stable sort).
    public let permutation: [Int]
    /// The backend the kernels ran on.
    public let backend: Backend
    /// Whether `matrices` holds the soft or the straight-through matrices.
    public let mode: OutputMode

    let method: RelaxationMethod<T>
    let scores: [T]
    let sortedScores: [T]
    let softMatrices: [T]
    let kernels: _RowKernels<T>
    let scheduler: BatchScheduler
    /// The caller's workspace, which the backward reuses; `nil` when the
    /// forward was given none (each backward then allocates its own buffers).
    let workspace: DenseWorkspace<T>?

    /// The number of threads the forward ran on (and the backward will).
    public var threads: Int { scheduler.threads }

    /// The relaxed sorted values `P s`: `batch x count`, row `b`, entry `i`
    /// is `sum_j matrices[b, i, j] * scores[b, j]`.
    ///
    /// - Complexity: O(batch * count^2).
    public func sortedValues() -> [T] {
        var values = [T](repeating: 0, count: batch * count)
        guard batch * count > 0 else { return values }
        matrices.withUnsafeBufferPointer { p in
            scores.withUnsafeBufferPointer { s in
                values.withUnsafeMutableBufferPointer { out in
                    for b in 0..<batch {
                        kernels.matrixVector(
                            p.baseAddress! + b * count * count, s.baseAddress! + b * count,
                            count, count, out.baseAddress! + b * count)
                    }
                }
            }
        }
        return values
    }

    /// The vector-Jacobian product: `dL/ds` given `dL/dP`.
    ///
    ///     D[i, j] = P[i, j] (G[i, j] - sum_k G[i, k] P[i, k])
    ///
    /// then through the logits and, for SoftSort, through the sort (SPEC.md,
    /// "Backward"). Straight-through results differentiate the soft `P`.
    ///
    /// - Parameter gradient: `dL/dP`, `batch x count x count`, laid out as
    ///   `matrices`.
    /// - Returns: `dL/ds`, `batch x count`. With a workspace, the returned
    ///   array shares its storage until the workspace's next call.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong size.
    /// - Complexity: O(batch * count^2), spread over `threads` threads.
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count * count)
        return DenseEngine.backward(self, matrixGradient: gradient)
    }

    /// The vector-Jacobian product of `sortedValues()`: `dL/ds` given
    /// `dL/d(P s)`, through both `P` and `s`:
    ///
    ///     dL/ds[j] = sum_i g[i] P[i, j]  +  backward(G)[j],   G[i, j] = g[i] s[j]
    ///
    /// - Parameter gradient: `dL/d(P s)`, `batch x count`.
    /// - Returns: `dL/ds`, `batch x count`.
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong size.
    /// - Complexity: O(batch * count^2) time and memory.
    public func backwardOfSortedValues(_ gradient: [T]) throws(SoftSortError) -> [T] {
        try Validation.size("gradient", gradient.count, expected: batch * count)
        let n = count
        var matrixGradient = [T](repeating: 0, count: batch * n * n)
        var direct = [T](repeating: 0, count: batch * n)
        if batch * n > 0 {
            scores.withUnsafeBufferPointer { s in
            softMatrices.withUnsafeBufferPointer { p in
            matrixGradient.withUnsafeMutableBufferPointer { g in
            direct.withUnsafeMutableBufferPointer { direct in
                for b in 0..<batch {
                    for i in 0..<n {
                        let row = (b * n + i) * n, upstream = gradient[b * n + i]
                        kernels.accumulate(g.baseAddress! + row, s.baseAddress! + b * n, upstream, n)   // G_i = g_i s
                        kernels.accumulate(direct.baseAddress! + b * n, p.baseAddress! + row, upstream, n)  // P^T g
                    }
                }
            }}}}
        }
        let total = DenseEngine.backward(self, matrixGradient: matrixGradient)
        var result = direct
        if batch * n > 0 {
            result.withUnsafeMutableBufferPointer { r in
                total.withUnsafeBufferPointer { t in kernels.accumulate(r.baseAddress!, t.baseAddress!, 1, batch * n) }
            }
        }
        return result
    }
}
