/// NeuralSort (Grover et al., ICLR 2019), the baseline the SoftSort paper
/// compares against (<doc:NeuralSortBaseline>):
///
///     P[i, j] = softmax_j( ((n + 1 - 2 i) s_j - sum_k |s_j - s_k|) / tau )
///
/// It shares `RelaxedPermutation` with `SoftSort`: every output runs on the
/// dense path, the cross-entropy also on the fused one.
public struct NeuralSort: Sendable, Hashable {
    /// `tau > 0`: smaller is closer to the hard permutation.
    public var temperature: Double
    /// Descending (row 0 picks the largest score) or ascending.
    public var direction: SortDirection
    /// The backend to run on, or `nil` for `Backend.preferred()`.
    public var backend: Backend?
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    public var threads: Int?

    /// Creates a NeuralSort operator. The parameters are checked when it runs.
    ///
    /// - Parameters:
    ///   - temperature: `tau > 0`.
    ///   - direction: `.descending` (default) or `.ascending`.
    ///   - backend: the kernels' backend, or `nil` for the preferred one.
    ///   - threads: at least 1, or `nil` for `Parallelism.defaultThreadCount`.
    /// - Complexity: O(1).
    public init(
        temperature: Double = 1, direction: SortDirection = .descending, backend: Backend? = nil, threads: Int? = nil
    ) {
        self.temperature = temperature
        self.direction = direction
        self.backend = backend
        self.threads = threads
    }

    /// Checks a batch of score rows; the result computes every output on request.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - path: `.automatic` (the fused cross-entropy, else dense), `.dense` or `.fused`.
    ///   - workspace: buffers to reuse across calls, or `nil`.
    /// - Returns: the checked request.
    /// - Throws: as `SoftSort.forward(scores:batch:count:path:workspace:)`;
    ///   `.unsupportedPath` for `.exact`, `.gauss` and `.window`.
    /// - Complexity: O(B n).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, path: SoftSortPath = .automatic, workspace: Workspace<T>? = nil
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        RelaxedPermutation(plan: try Plan(
            method: .neuralSort, temperature: temperature, direction: direction, backend: backend, threads: threads,
            scores: scores, batch: batch, count: count, path: path, accuracy: nil, perturbation: nil,
            workspace: workspace))
    }
}
