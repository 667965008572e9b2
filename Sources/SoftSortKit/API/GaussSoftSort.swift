/// SoftSort with `p = 2` through the fast Gauss transform: the relaxed
/// permutations of a batch held implicitly (`O(B n)` memory, no `n x n`
/// matrix), `O(n)` per row after the sort for every output and its backward.
///
/// For `p = 2` the kernel `exp(-(x_i - s_j)^2 / tau)` is a Gaussian of
/// bandwidth `sqrt(tau)`: `Z`, `P V`, `P s`, `P^T r` and every gradient are
/// Gauss transforms on the sorted scores (<doc:GaussTransform>), evaluated in
/// `Double` within a stated bound. The results are those of
/// `SoftSort(temperature:power: 2)` to that accuracy.
///
/// ```swift
/// let gauss = GaussSoftSort(temperature: 0.1)
/// let result = try gauss.forward(scores: [0.3, 2.0, -1.0], batch: 1, count: 3)
/// result.sortedValues().values   // close to [2.0, 0.3, -1.0]
/// result.ranks().values          // close to [2, 1, 3] (rank 1 = largest)
/// ```
public struct GaussSoftSort: Sendable, Hashable {
    /// `tau > 0`: smaller is closer to the hard permutation.
    public var temperature: Double
    /// Descending (row 0 picks the largest score, the paper's order) or ascending.
    public var direction: SortDirection
    /// The transforms' bound `epsilon`, or `nil` for the default `1e-13`:
    /// every sum `sum_j q_j g(.)` is within `epsilon sum_j |q_j|` of the
    /// exact one (`GaussPlan`), in `1e-16 ... 1e-2`.
    public var accuracy: Double?
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    /// Results are bitwise identical for every thread count.
    public var threads: Int?

    /// Creates a `p = 2` gauss SoftSort operator. The parameters are checked when it runs.
    ///
    /// - Parameters:
    ///   - temperature: `tau > 0`.
    ///   - direction: `.descending` (default) or `.ascending`.
    ///   - accuracy: the bound `epsilon` in `1e-16 ... 1e-2`, or `nil` for `1e-13`.
    ///   - threads: at least 1, or `nil` for `Parallelism.defaultThreadCount`.
    /// - Complexity: O(1).
    public init(
        temperature: Double = 1, direction: SortDirection = .descending, accuracy: Double? = nil, threads: Int? = nil
    ) {
        self.temperature = temperature
        self.direction = direction
        self.accuracy = accuracy
        self.threads = threads
    }

    /// Sorts each batch row and runs its normaliser transform; the result
    /// applies `P` to values and gives the sorted values, ranks and loss.
    ///
    /// With a `workspace` the result, every `P V` product's state and every
    /// backward's gradient live in the workspace's buffers and its row
    /// scratch: a loop of a forward, one output and its backward then
    /// allocates only the output arrays it returns (see `GaussWorkspace` for
    /// the sharing rule).
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - workspace: buffers to reuse across calls, or `nil` for fresh ones.
    /// - Returns: the sorted order and the `O(B n)` state every operation of
    ///   `GaussRelaxedPermutation` reads.
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidArgument(name:
    ///   "accuracy", ...)` outside `1e-16 ... 1e-2`, `.invalidDimension`,
    ///   `.shapeOverflow`, `.sizeMismatch`, `.nonFiniteScore`,
    ///   `.invalidThreadCount`. Everything runs in `Double`; huge `Double`
    ///   scores are rescaled exactly (`P(s, tau) = P(s / c, tau / c^2)`, `c` a
    ///   power of two), so every output and gradient is finite where the true one is.
    /// - Complexity: O(B n) after the O(B n) radix sort, O(B n) memory; batch
    ///   rows spread over `threads` threads.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, workspace: GaussWorkspace<T>? = nil
    ) throws(SoftSortError) -> GaussRelaxedPermutation<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, power: 2, direction: direction, backend: nil, threads: threads)
        let epsilon = accuracy ?? GaussEngine.defaultAccuracy
        guard epsilon.isFinite, epsilon >= 1e-16, epsilon <= 1e-2 else {
            throw .invalidArgument(name: "accuracy", value: epsilon)
        }
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: .rows)
        let state = T.kernelSet.gaussOutputs.prepare(scores, shape, temperature, epsilon, configuration, workspace)
        return GaussRelaxedPermutation(state: state)
    }
}
