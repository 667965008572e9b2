extension NeuralSort {
    /// The cross-entropy of the NeuralSort matrices against target columns,
    /// with its gradient, the same loss as
    /// `SoftSort.crossEntropy(scores:targets:batch:count:path:workspace:)`:
    ///
    ///     L = -sum_(b, i) log P[b, i, t[b, i]]                     (a SUM over all B n rows)
    ///       =  sum_(b, i) logsumexp_j(z_ij) - z_(i, t_i),  z_ij = ((n + 1 - 2 (i + 1)) s_j - (A 1)_j) / tau
    ///
    /// summed in `Double`, rounded to `T` once. Every path subtracts each
    /// row's largest numerator `(n + 1 - 2 (i + 1)) s_j - (A 1)_j` before
    /// dividing by `tau`, so finite scores of any magnitude (rescaled as in
    /// `forward(scores:batch:count:mode:workspace:)`) give a finite loss and
    /// gradient wherever the true ones are representable (a loss beyond
    /// `T.greatestFiniteMagnitude` is `+infinity`).
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - targets: `batch x count` columns in `0 ..< count`.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - path: `.automatic` or `.fused` (one row of `P` at a time), or
    ///     `.dense` (through `P`).
    ///   - workspace: buffers to reuse across calls, or `nil` for fresh ones.
    /// - Returns: the loss, `dL/ds` and the path and backend that ran.
    /// - Throws: as `forward(scores:batch:count:mode:workspace:)`, and
    ///   `.sizeMismatch` / `.indexOutOfRange` for `targets`,
    ///   `.unsupportedPath` for `.exact`.
    /// - Complexity: O(B n^2) time over `threads` threads (the column sums
    ///   `A 1` and their backward are O(n^2) per batch row too); memory
    ///   O(B n) (`.fused`) or O(B n^2) (`.dense`).
    public func crossEntropy<T: SoftSortScalar>(
        scores: [T], targets: [Int], batch: Int, count: Int,
        path: LossPath = .automatic, workspace: LossWorkspace<T>? = nil
    ) throws(SoftSortError) -> Loss<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, direction: direction, backend: backend, threads: threads)
        let resolved = try Validation.neuralSortPath(path)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: Validation.footprint(of: resolved))
        try Validation.targets(targets, shape: shape)
        return try SoftSort.run(LossRequest(
            scores: scores, shape: shape, method: .neuralSort, objective: .crossEntropy(targets: targets),
            configuration: configuration, workspace: workspace), path: resolved)
    }
}
