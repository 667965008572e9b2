/// NeuralSort (Grover et al., ICLR 2019), the baseline SoftSort is measured
/// against:
///
///     A[j, k] = |s_j - s_k|,   c = A 1
///     P[i, j] = softmax_j( ((n + 1 - 2 (i + 1)) s_j - c_j) / tau )
///
/// with `c = A 1` computed once per row (the `O(n^2)` association, not the
/// original `O(n^3)` product `A (1 1^T)`). Its logits are unbounded, so each
/// row takes a max pass before the `exp`.
public struct NeuralSort: Sendable, Hashable {
    /// `tau > 0`: smaller is closer to the hard permutation.
    public var temperature: Double
    /// Descending (the paper's order) or ascending (NeuralSort of `-s`).
    public var direction: SortDirection
    /// The backend to run on, or `nil` for `Backend.preferred()`.
    public var backend: Backend?
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    /// Results are bitwise identical for every thread count.
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
        temperature: Double = 1, direction: SortDirection = .descending, backend: Backend? = nil,
        threads: Int? = nil
    ) {
        self.temperature = temperature
        self.direction = direction
        self.backend = backend
        self.threads = threads
    }

    /// The NeuralSort matrices of a batch of score rows.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - mode: `.soft` (default) or `.straightThrough`.
    ///   - workspace: buffers to reuse across calls, or `nil` for fresh ones.
    /// - Returns: the `B x n x n` matrices, the hard permutations, and the
    ///   state for `backward(_:)`.
    /// - Throws: as `SoftSort.forward(scores:batch:count:mode:workspace:)`.
    ///   Huge finite scores are rescaled exactly (`P(s, tau) = P(s / c, tau /
    ///   c)`); rows whose logits `3 n max|s| / tau` would still overflow run
    ///   `scalar` kernels that subtract the row's largest numerator before
    ///   dividing by `tau` (the result then reports `Backend.scalar`).
    /// - Complexity: O(B n^2) time and memory, spread over `threads` threads.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, mode: OutputMode = .soft, workspace: DenseWorkspace<T>? = nil
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, direction: direction, backend: backend, threads: threads)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: .matrices)
        return try RelaxedPermutation(
            scores: scores, shape: shape, method: .neuralSort, mode: mode, configuration: configuration,
            workspace: workspace)
    }
}
