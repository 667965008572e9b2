extension SoftSort {
    /// The relaxed sort applied to values, fused: `Y = P V` without forming `P`.
    ///
    ///     Y[b, i, :] = sum_j P[b, i, j] V[b, j, :],  P = SoftSort(s)  (B x n x n)
    ///
    /// Row `i` of `Y` is the softmax-weighted mean of the value rows around
    /// the `i`-th largest score: with `V = s` (`dimension` 1) it is the relaxed
    /// sorted scores. `P` is computed tile by tile and never stored, so memory
    /// is `O(B n d)` for any `n`; this is how to use SoftSort with `p = 2` (no
    /// `O(n log n)` path) when `n` is large. Any `p > 0` works on every
    /// backend; on `avx2`, `Float` with `p = 1` or `p = 2` runs C kernels.
    /// Only the soft relaxation: `mode` does not apply.
    ///
    /// ```swift
    /// let scores: [Float] = [0.3, 2.0, -1.0]
    /// let product = try SoftSort(temperature: 0.1, power: 2)
    ///     .apply(to: scores, scores: scores, batch: 1, count: 3, dimension: 1)
    /// product.values   // close to [2.0, 0.3, -1.0]
    /// ```
    ///
    /// - Parameters:
    ///   - values: `V`, `batch x count x dimension`, row-major (value row `j`
    ///     of batch row `b` at `(b * count + j) * dimension`).
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - dimension: the value width `d >= 0`.
    /// - Returns: `Y` (`batch x count x dimension`), the hard permutations, and
    ///   the state for `backward(_:)` (scores, sorted scores, `V` and the row
    ///   sums of `exp`: O(B n d)).
    /// - Throws: `SoftSortError` for a temperature or power that is not finite
    ///   and positive, a non-finite score (`nonFiniteScore`) or value
    ///   (`invalidArgument(name: "values", ...)`), a size that does not match
    ///   the shape, a negative dimension, `B n d` overflowing `Int`, a thread
    ///   count below 1, or a backend that cannot run here.
    /// - Complexity: O(B n^2 d) time over `threads` threads, O(B n d) memory
    ///   (the backward: O((B + 16) n d), its per-block partial sums).
    public func apply<T: SoftSortScalar>(
        to values: [T], scores: [T], batch: Int, count: Int, dimension: Int = 1
    ) throws(SoftSortError) -> RelaxedProduct<T> {
        guard case .softSort(let temperature, let power, let direction) = try relaxationMethod(as: T.self) else {
            preconditionFailure("SoftSort.relaxationMethod returns .softSort")
        }
        guard batch >= 0 else { throw .invalidDimension(argument: "batch", value: batch) }
        guard count >= 0 else { throw .invalidDimension(argument: "count", value: count) }
        guard dimension >= 0 else { throw .invalidDimension(argument: "dimension", value: dimension) }
        let (rows, o1) = batch.multipliedReportingOverflow(by: count)
        let (elements, o2) = rows.multipliedReportingOverflow(by: dimension)
        guard !o1, !o2 else { throw .shapeOverflow(batch: batch, count: count) }
        try Validation.size("scores", scores.count, expected: rows)
        try Validation.size("values", values.count, expected: elements)
        if let bad = Validation.firstIndex(in: scores, where: { !$0.isFinite }) {
            throw .nonFiniteScore(row: bad / count, column: bad % count)
        }
        if let bad = Validation.firstIndex(in: values, where: { !$0.isFinite }) {
            throw .invalidArgument(name: "values", value: Double(values[bad]))
        }
        let kernels = ApplyKernelTable<T>.kernels(try Backend.resolve(backend), as: T.self)
        let scheduler = BatchScheduler(threads: try Parallelism.resolve(threads))
        return ApplyEngine.forward(
            values: values, scores: scores, batch: batch, count: count, dimension: dimension,
            temperature: temperature, power: power, direction: direction, kernels: kernels,
            scheduler: scheduler)
    }
}

/// The result of `SoftSort.apply(to:scores:batch:count:dimension:)`: the
/// product `Y = P V`, the hard permutations, and what the backward needs.
///
/// Holds O(B n d) state, never the `B x n x n` matrices: the backward
/// recomputes `P` tile by tile.
public struct RelaxedProduct<T: SoftSortScalar>: Sendable {
    /// The gradients of a loss with respect to the inputs of the apply.
    public struct Gradient: Sendable {
        /// `dL/ds`, `batch x count`.
        public let scores: [T]
        /// `dL/dV`, `batch x count x dimension`, laid out as the values.
        public let values: [T]
    }

    /// The number of score rows `B`.
    public let batch: Int
    /// The length `n` of each score row.
    public let count: Int
    /// The width `d` of each value row.
    public let dimension: Int
    /// `Y = P V`, `batch x count x dimension`: element `(b, i, k)` at
    /// `(b * count + i) * dimension + k`.
    public let values: [T]
    /// `batch x count` hard permutations, as `RelaxedPermutation.permutation`.
    public let permutation: [Int]
    /// The backend the kernels ran on.
    public let backend: Backend

    let scores: [T]
    let sortedScores: [T]
    let transposedValues: [T]
    let normalizers: [T]
    let temperature: T
    let power: DistancePower
    let columnTile: Int
    let kernels: ApplyKernelTable<T>
    let scheduler: BatchScheduler

    /// The number of threads the forward ran on (and the backward will).
    public var threads: Int { scheduler.threads }

    /// The vector-Jacobian product: `dL/ds` and `dL/dV` given `G = dL/dY`.
    ///
    ///     dL/dV[j]  = sum_i P[i, j] G[i]
    ///     D[i, j]   = P[i, j] (<G[i], V[j]> - <G[i], Y[i]>)
    ///
    /// then `D` goes through the logits and the sort as in
    /// `RelaxedPermutation.backward(_:)` (SPEC.md, "Backward"). `P` is
    /// recomputed tile by tile, never stored.
    ///
    /// - Parameter gradient: `dL/dY`, `batch x count x dimension`, laid out as `values`.
    /// - Returns: `dL/ds` (`batch x count`) and `dL/dV` (`batch x count x dimension`).
    /// - Throws: `SoftSortError.sizeMismatch` when `gradient` has the wrong size.
    /// - Complexity: O(B n^2 d) time over `threads` threads, O((B + 16) n d)
    ///   memory. Bitwise identical for every thread count.
    public func backward(_ gradient: [T]) throws(SoftSortError) -> Gradient {
        try Validation.size("gradient", gradient.count, expected: batch * count * dimension)
        return ApplyEngine.backward(self, outputGradient: gradient)
    }
}
