/// SoftSort (Prillo & Eisenschlos, ICML 2020): the relaxed permutation matrix
///
///     P[i, j] = softmax_j( -|sort(s)_i - s_j|^p / tau )
///
/// whose row-wise argmax is the argsort of `s`. Every row's largest logit is
/// exactly 0, so every entry is computed without overflow.
///
/// ```swift
/// let softSort = SoftSort(temperature: 0.1)
/// let result = try softSort.forward(scores: [0.3, 2.0, -1.0], batch: 1, count: 3)
/// result.permutation   // [1, 0, 2]
/// ```
public struct SoftSort: Sendable, Hashable {
    /// `tau > 0`: smaller is closer to the hard permutation.
    public var temperature: Double
    /// `p > 0` in the distance `|x|^p`: 1 (the paper's default), 2 (the one
    /// its speed benchmark timed), or any other positive value (slower).
    public var power: Double
    /// Descending (row 0 picks the largest score, the paper's order) or ascending.
    public var direction: SortDirection
    /// The backend to run on, or `nil` for `Backend.preferred()`.
    public var backend: Backend?
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    /// Results are bitwise identical for every thread count.
    public var threads: Int?

    /// Creates a SoftSort operator. The parameters are checked when it runs.
    public init(
        temperature: Double = 1, power: Double = 1, direction: SortDirection = .descending,
        backend: Backend? = nil, threads: Int? = nil
    ) {
        self.threads = threads
        self.temperature = temperature
        self.power = power
        self.direction = direction
        self.backend = backend
    }

    /// The relaxed permutation matrices of a batch of score rows.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - mode: `.soft` (default) or `.straightThrough`.
    ///   - workspace: buffers to reuse across calls (a training loop), or
    ///     `nil` for fresh ones; see `DenseWorkspace` for the sharing rule.
    /// - Returns: the `B x n x n` matrices, the hard permutations, and the
    ///   state for `backward(_:)`.
    /// - Throws: `SoftSortError` for a temperature or power that is not finite
    ///   and positive, a non-finite score, a size that does not match the
    ///   shape, a negative dimension, `B n^2` overflowing `Int`, a thread
    ///   count below 1, or a backend that cannot run here.
    /// - Complexity: O(B n^2) time and memory, spread over `threads` threads.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, mode: OutputMode = .soft, workspace: DenseWorkspace<T>? = nil
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        try DenseEngine.run(
            scores: scores, batch: batch, count: count, method: try relaxationMethod(as: T.self), mode: mode,
            backend: backend, threads: threads, workspace: workspace)
    }

    func relaxationMethod<T: SoftSortScalar>(as _: T.Type) throws(SoftSortError) -> RelaxationMethod<T> {
        .softSort(
            temperature: try Validation.temperature(temperature, as: T.self),
            power: try Validation.power(power), direction: direction)
    }
}
