/// SoftSort with `p = 1`, computed exactly in `O(n log n)` time and `O(n)`
/// memory per row: no `n x n` matrix is ever formed.
///
/// For `p = 1` the kernel `K[i, j] = exp(-|x_i - x_j| / tau)` on the sorted
/// scores `x` factors into products of neighbour factors
/// `f_i = exp(-|x_(i-1) - x_i| / tau)`, each in `[0, 1]`, so `P V`, `P^T U`,
/// the row normalizers `Z_i` and every gradient reduce to two linear scans
/// after one sort (<doc:ExactScan>). The results are
/// those of `SoftSort(temperature:power: 1)` to rounding.
///
/// ```swift
/// let exact = ExactSoftSort(temperature: 0.1)
/// let result = try exact.forward(scores: [0.3, 2.0, -1.0], batch: 1, count: 3)
/// result.sortedValues().values   // close to [2.0, 0.3, -1.0]
/// result.ranks().values          // close to [2, 1, 3] (rank 1 = largest)
/// ```
public struct ExactSoftSort: Sendable, Hashable {
    /// `tau > 0`: smaller is closer to the hard permutation.
    public var temperature: Double
    /// Descending (row 0 picks the largest score, the paper's order) or ascending.
    public var direction: SortDirection
    /// The backend, or `nil` for `Backend.preferred()`: `scalar` scans one
    /// batch row at a time; `simd` (and `avx2`, which has no C scans and
    /// reports `simd`) scans 8 `Float` or 4 `Double` rows in SIMD lanes.
    public var backend: Backend?
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    /// Results are bitwise identical for every thread count.
    public var threads: Int?

    /// Creates an exact `p = 1` SoftSort operator. The parameters are checked when it runs.
    ///
    /// - Parameters:
    ///   - temperature: `tau > 0`.
    ///   - direction: `.descending` (default) or `.ascending`.
    ///   - backend: the scans' backend, or `nil` for the preferred one.
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

    /// Sorts each batch row and runs the normalizer scans; the result applies
    /// `P` (and `P^T`) to values, and gives the losses and their gradients.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    /// - Returns: the sorted order and the `O(B n)` state every operation of
    ///   `ExactRelaxedPermutation` reads.
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidDimension` (a
    ///   negative shape), `.shapeOverflow` (`B n` overflows `Int`),
    ///   `.sizeMismatch`, `.nonFiniteScore`, `.invalidThreadCount`,
    ///   `.backendUnavailable`. Scores near `T.greatestFiniteMagnitude` are
    ///   rescaled exactly (`P(s, tau) = P(s / c, tau / c)`, `c` a power of
    ///   two), so every output and gradient is finite where the true one is.
    /// - Complexity: O(B n log n) time (the sort), O(B n) memory; batch rows
    ///   spread over `threads` threads.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int
    ) throws(SoftSortError) -> ExactRelaxedPermutation<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, direction: direction, backend: backend, threads: threads)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: .rows)
        return Self.forward(checkedScores: scores, shape: shape, configuration: configuration)
    }

    /// The forward on scores that passed `Validation.batch` (the losses of
    /// `SoftSort` check them once and come here).
    static func forward<T: SoftSortScalar>(
        checkedScores scores: [T], shape: BatchShape, configuration: Configuration<T>
    ) -> ExactRelaxedPermutation<T> {
        let scale = ScoreScale(scores, bound: .distance(power: 1))
        let kernelSet = T.kernelSet
        let state = kernelSet.exact.prepare(
            scale.divide(scores), shape, configuration.rescaled(by: scale, power: 1),
            kernelSet.kernels(for: configuration.backend))
        return ExactRelaxedPermutation(state: state, scale: scale)
    }
}
