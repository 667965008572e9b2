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
    ///
    /// - Parameters:
    ///   - temperature: `tau > 0`.
    ///   - power: `p > 0`.
    ///   - direction: `.descending` (default) or `.ascending`.
    ///   - backend: the kernels' backend, or `nil` for the preferred one.
    ///   - threads: at least 1, or `nil` for `Parallelism.defaultThreadCount`.
    /// - Complexity: O(1).
    public init(
        temperature: Double = 1, power: Double = 1, direction: SortDirection = .descending,
        backend: Backend? = nil, threads: Int? = nil
    ) {
        self.temperature = temperature
        self.power = power
        self.direction = direction
        self.backend = backend
        self.threads = threads
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
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidPower`,
    ///   `.invalidDimension` (a negative shape), `.shapeOverflow` (`B n^2`
    ///   overflows `Int`), `.sizeMismatch`, `.nonFiniteScore`,
    ///   `.invalidThreadCount`, `.backendUnavailable`, `.insufficientMemory`
    ///   when the `B x n x n` matrices do not fit in what this process may
    ///   use (the message names the fused and exact paths, which need none).
    ///   Finite scores of any magnitude give finite results: huge ones are
    ///   rescaled exactly (`P(s, tau) = P(s / c, tau / c^p)`, `c` a power of
    ///   two; <doc:Accuracy>).
    /// - Complexity: O(B n^2) time and memory, spread over `threads` threads.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, mode: OutputMode = .soft, workspace: DenseWorkspace<T>? = nil
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, power: power, direction: direction, backend: backend, threads: threads)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: .matrices)
        return try RelaxedPermutation(
            scores: scores, shape: shape, method: .softSort(configuration.power), mode: mode,
            configuration: configuration, workspace: workspace)
    }

    /// The relaxed sort applied to values, fused: `Y = P V` without forming `P`.
    ///
    ///     Y[b, i, :] = sum_j P[b, i, j] V[b, j, :],  P = SoftSort(s)  (B x n x n)
    ///
    /// Row `i` of `Y` is the softmax-weighted mean of the value rows around
    /// the `i`-th largest score: with `V = s` (`dimension` 1) it is the relaxed
    /// sorted scores. `P` is computed tile by tile and never stored, so memory
    /// is `O(B n d)` for any `n`. Any `p > 0` works on every backend; on
    /// `avx2`, `Float` with `p = 1` or `p = 2` runs C kernels.
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
    /// - Returns: `Y` (`batch x count x dimension`) and its backward.
    /// - Throws: as `forward(scores:batch:count:mode:workspace:)`, and
    ///   `.nonFiniteInput(argument: "values", row: b, column: j * d + e)` for
    ///   a non-finite value, `.invalidDimension` for `d < 0`, `.shapeOverflow`
    ///   when `B n d` overflows `Int`, `.insufficientMemory` when the `O(B n d)`
    ///   buffers do not fit. Only the scores are rescaled, never the values.
    /// - Complexity: O(B n^2 d) time over `threads` threads, O(B n d) memory
    ///   (the backward: O((B + 16) n d), its per-block partial sums).
    public func apply<T: SoftSortScalar>(
        to values: [T], scores: [T], batch: Int, count: Int, dimension: Int = 1
    ) throws(SoftSortError) -> RelaxedProduct<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, power: power, direction: direction, backend: backend, threads: threads)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: .values(dimension: dimension))
        try Validation.matrix("values", values, shape: shape, dimension: dimension, minimumDimension: 0)
        try MemoryBudget.require(
            MemoryBudget.product(shape.elements, MemoryBudget.sum(2 * dimension, 2)), of: T.self,
            alternative: "ExactSoftSort (p = 1) applies P to values in O(B n d) without tiles; else use a smaller batch")
        let p = configuration.power.value
        let scale = ScoreScale(scores, bound: .distance(power: p))
        let kernelSet = T.kernelSet
        let state = kernelSet.apply.forward(ApplyRequest(
            scores: scale.divide(scores), values: values, shape: shape, dimension: dimension,
            configuration: configuration.rescaled(by: scale, power: p),
            kernels: kernelSet.applyKernels(configuration.backend, power: configuration.power)))
        return RelaxedProduct(fused: state, scale: scale)
    }
}
