/// SoftSort with `p = 1`, computed exactly in `O(n log n)` time and `O(n)`
/// memory per row: no `n x n` matrix is ever formed.
///
/// For `p = 1` the kernel `K[i, j] = exp(-|x_i - x_j| / tau)` on the sorted
/// scores `x` factors into products of neighbour factors
/// `f_i = exp(-|x_(i-1) - x_i| / tau)`, each in `[0, 1]`, so `P V`, `P^T U`,
/// the row normalizers `Z_i` and every gradient reduce to two linear scans
/// after one sort (SPEC.md, "Exact O(n log n) SoftSort for p = 1"). The
/// results are those of `SoftSort(temperature:power: 1)` to rounding.
///
/// ```swift
/// let exact = ExactSoftSort(temperature: 0.1)
/// let result = try exact.forward(scores: [0.3, 2.0, -1.0], batch: 1, count: 3)
/// result.sortedValues()   // close to [2.0, 0.3, -1.0]
/// result.ranks()          // close to [2, 1, 3] (rank 1 = largest)
/// ```
public struct ExactSoftSort: Sendable, Hashable {
    /// `tau > 0`: smaller is closer to the hard permutation.
    public var temperature: Double
    /// Descending (row 0 picks the largest score, the paper's order) or ascending.
    public var direction: SortDirection
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    /// Results are bitwise identical for every thread count.
    public var threads: Int?

    /// Creates an exact `p = 1` SoftSort operator. The temperature and the
    /// thread count are checked when it runs.
    ///
    /// - Parameters:
    ///   - temperature: `tau > 0`.
    ///   - direction: `.descending` (default) or `.ascending`.
    ///   - threads: the number of threads (at least 1), or `nil` (default)
    ///     for `Parallelism.defaultThreadCount`.
    public init(temperature: Double = 1, direction: SortDirection = .descending, threads: Int? = nil) {
        self.temperature = temperature
        self.direction = direction
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
    ///   `ExactRelaxedPermutation` reads; its operations run on the same
    ///   `threads`.
    /// - Throws: `SoftSortError.invalidTemperature` for a temperature that is
    ///   not finite and positive in `T`, `.invalidDimension` for a negative
    ///   shape or a thread count below 1, `.shapeOverflow` when `B n`
    ///   overflows `Int`, `.sizeMismatch`, and `.nonFiniteScore`.
    /// - Complexity: O(B n log n) time (the sort), O(B n) memory; batch rows
    ///   spread over `threads` threads.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int
    ) throws(SoftSortError) -> ExactRelaxedPermutation<T> {
        let tau = try Validation.temperature(temperature, as: T.self)
        let scheduler = BatchScheduler(threads: try Parallelism.resolve(threads))
        try ExactValidation.rows(batch: batch, count: count)
        try Validation.size("scores", scores.count, expected: batch * count)
        if let bad = Validation.firstIndex(in: scores, where: { !$0.isFinite }) {
            throw .nonFiniteScore(row: bad / count, column: bad % count)
        }
        let state = ScanOperations<T>.current.prepare(scores, batch, count, tau, direction, scheduler)
        return ExactRelaxedPermutation(state: state)
    }
}

/// The checks of the exact and windowed paths, which never need `B n^2`
/// elements (so, unlike the dense path, they accept any `B n` that fits).
enum ExactValidation {
    static func rows(batch: Int, count: Int) throws(SoftSortError) {
        guard batch >= 0 else { throw .invalidDimension(argument: "batch", value: batch) }
        guard count >= 0 else { throw .invalidDimension(argument: "count", value: count) }
        guard !batch.multipliedReportingOverflow(by: count).overflow else {
            throw .shapeOverflow(batch: batch, count: count)
        }
    }

    /// Checks `dimension >= 1` and that `argument` holds `rows x dimension` elements.
    static func matrix(_ argument: String, _ actual: Int, rows: Int, dimension: Int) throws(SoftSortError) {
        guard dimension >= 1 else { throw .invalidDimension(argument: "dimension", value: dimension) }
        let (expected, overflow) = rows.multipliedReportingOverflow(by: dimension)
        guard !overflow else { throw .invalidDimension(argument: "dimension", value: dimension) }
        try Validation.size(argument, actual, expected: expected)
    }
}
