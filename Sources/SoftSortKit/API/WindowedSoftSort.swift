/// Sparse SoftSort for any `p > 0`: only the first `k` rows (top-k), and in
/// each row only the columns near its own rank in sorted order.
///
/// In sorted coordinates `|z[i, j]| = |x_i - x_j|^p / tau` grows with
/// `|i - j|`, so a row's mass sits around its diagonal. Each kept row is the
/// softmax over its window alone (renormalized), and the result reports, per
/// row, an upper bound on the mass the dense `P` puts outside the window
/// (`SparseRelaxedPermutation.droppedMass`). A window that covers every
/// column gives the dense result.
///
/// ```swift
/// let windowed = WindowedSoftSort(temperature: 1e-3, topK: 100, window: .tolerance(1e-7))
/// let result = try windowed.forward(scores: scores, batch: 1, count: scores.count)
/// result.droppedMass.max()   // at most about n * 1e-7
/// ```
public struct WindowedSoftSort: Sendable, Hashable {
    /// Which columns of each kept row are computed.
    public enum Window: Sendable, Hashable {
        /// The columns within `w >= 0` ranks of the row's own rank in sorted
        /// order (`2 w + 1` columns away from the ends).
        case ranks(Int)
        /// Adaptive: the columns whose logit `-|x_i - s_j|^p / tau` is at least
        /// `log(tolerance)`, i.e. `|x_i - s_j| <= (-tau log(tolerance))^(1 / p)`;
        /// `0 < tolerance < 1`. Every dropped entry of the dense row's
        /// unnormalized kernel is below `tolerance`.
        case tolerance(Double)
    }

    /// `tau > 0`.
    public var temperature: Double
    /// `p > 0` in the distance `|x|^p`.
    public var power: Double
    /// Descending (row 0 picks the largest score) or ascending.
    public var direction: SortDirection
    /// The backend of the row kernels, or `nil` for `Backend.preferred()`.
    public var backend: Backend?
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    /// Results are bitwise identical for every thread count.
    public var threads: Int?
    /// The number of rows `k` kept per batch row (the first ones: the largest
    /// scores, descending), or `nil` for all `n`.
    public var topK: Int?
    /// The column window of each kept row.
    public var window: Window

    /// Creates a windowed SoftSort operator. The parameters are checked when it runs.
    ///
    /// - Parameters:
    ///   - temperature: `tau > 0`.
    ///   - power: `p > 0`.
    ///   - direction: `.descending` (default) or `.ascending`.
    ///   - backend: the row kernels' backend, or `nil` for the preferred one.
    ///   - threads: at least 1, or `nil` for `Parallelism.defaultThreadCount`.
    ///   - topK: `0 ... n` rows kept per batch row, or `nil` for every row
    ///     (`k > n` is an error when the operator runs, not clamped).
    ///   - window: `.ranks(w)` or `.tolerance(t)`.
    /// - Complexity: O(1).
    public init(
        temperature: Double = 1, power: Double = 1, direction: SortDirection = .descending,
        backend: Backend? = nil, threads: Int? = nil, topK: Int? = nil, window: Window
    ) {
        self.temperature = temperature
        self.power = power
        self.direction = direction
        self.backend = backend
        self.threads = threads
        self.topK = topK
        self.window = window
    }

    /// The windowed rows of a batch.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    /// - Returns: the sparse rows (format: `SparseRelaxedPermutation`), their
    ///   dropped-mass bounds, and the state for `backward(_:)`.
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidPower`,
    ///   `.invalidDimension` for a negative shape, `.invalidRowSelection` for
    ///   a `topK` outside `0 ... count`, `.invalidWindowWidth` for `w < 0`,
    ///   `.invalidArgument(name: "tolerance", ...)` for a tolerance outside
    ///   `(0, 1)`, `.shapeOverflow`, `.sizeMismatch`, `.nonFiniteScore`,
    ///   `.invalidThreadCount`, `.backendUnavailable`.
    /// - Complexity: O(B n log n) for the sorts plus O(B k m) for the kept
    ///   rows, `m` the mean window width: it grows with the window, not with
    ///   `n^2`. Batch rows spread over `threads` threads.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int
    ) throws(SoftSortError) -> SparseRelaxedPermutation<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, power: power, direction: direction, backend: backend, threads: threads)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: .rows)
        let k = topK ?? count
        try Validation.rowSelection("topK", k, count: count)
        let scale = ScoreScale(scores, bound: .distance(power: power))
        let scaled = configuration.rescaled(by: scale, power: power)
        let rule: WindowRule
        switch window {
        case .ranks(let w):
            guard w >= 0 else { throw .invalidWindowWidth(w) }
            rule = .ranks(w)
        case .tolerance(let t):
            guard t.isFinite, t > 0, t < 1 else { throw .invalidArgument(name: "tolerance", value: t) }
            // In the rescaled coordinates: the radius is divided by c too.
            let logit = -Double(scaled.temperature) * Double.libmLog(t)
            rule = .radius(power == 1 ? logit : Double.libmPow(logit, 1 / power))
        }
        let kernelSet = T.kernelSet
        let state = kernelSet.window.forward(
            scale.divide(scores), shape, k, rule, scaled,
            kernelSet.denseKernels(configuration.backend, power: configuration.power))
        return SparseRelaxedPermutation(state: state, scale: scale)
    }
}
