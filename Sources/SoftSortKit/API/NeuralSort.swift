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
    public init(
        temperature: Double = 1, direction: SortDirection = .descending, backend: Backend? = nil,
        threads: Int? = nil
    ) {
        self.threads = threads
        self.temperature = temperature
        self.direction = direction
        self.backend = backend
    }

    /// The NeuralSort matrices of a batch of score rows; see
    /// `SoftSort.forward(scores:batch:count:mode:workspace:)` for the parameters,
    /// result and errors.
    ///
    /// - Complexity: O(B n^2) time and memory.
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, mode: OutputMode = .soft, workspace: DenseWorkspace<T>? = nil
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        try DenseEngine.run(
            scores: scores, batch: batch, count: count, method: try relaxationMethod(as: T.self), mode: mode,
            backend: backend, threads: threads, workspace: workspace)
    }

    func relaxationMethod<T: SoftSortScalar>(as _: T.Type) throws(SoftSortError) -> RelaxationMethod<T> {
        .neuralSort(temperature: try Validation.temperature(temperature, as: T.self), direction: direction)
    }
}

/// The hard permutations of a batch: `result[b * count + i]` is the column of
/// the `i`-th largest score of row `b` (smallest when ascending), ties broken
/// by index.
///
/// - Throws: `SoftSortError` for a non-finite score or a mismatched shape.
/// - Complexity: O(batch * count log count).
public func argsort<T: SoftSortScalar>(
    _ scores: [T], batch: Int, count: Int, direction: SortDirection = .descending
) throws(SoftSortError) -> [Int] {
    try Validation.scores(scores, batch: batch, count: count)
    var order = [Int](repeating: 0, count: batch * count)
    var sorted = [T](repeating: 0, count: batch * count)
    let kernels = T._kernels(for: .scalar)
    guard batch * count > 0 else { return order }
    scores.withUnsafeBufferPointer { s in
        order.withUnsafeMutableBufferPointer { o in
            sorted.withUnsafeMutableBufferPointer { out in
                for b in 0..<batch {
                    kernels.argsort(
                        s.baseAddress! + b * count, count, direction,
                        o.baseAddress! + b * count, out.baseAddress! + b * count)
                }
            }
        }
    }
    return order
}
