/// SoftSort (Prillo & Eisenschlos, ICML 2020): the relaxed permutation matrix
///
///     P[i, j] = softmax_j( -|sort(s)_i - s_j|^p / tau )
///
/// whose row-wise argmax is the argsort of `s`. Every row's largest logit is
/// exactly 0, so every entry is computed without overflow.
///
/// ```swift
/// let softSort = SoftSort(temperature: 0.1)
/// let result = try softSort.forward(scores: [0.3, 2.0, -1.0] as [Float], batch: 1, count: 3)
/// result.permutation                   // [1, 0, 2]
/// let sorted = try result.sortedValues()
/// sorted.values                        // close to [2.0, 0.3, -1.0]
/// let dScores = try sorted.backward([1, 0, 0])
/// ```
public struct SoftSort: Sendable, Hashable {
    /// `tau > 0`: smaller is closer to the hard permutation.
    public var temperature: Double
    /// `p > 0` in the distance `|x|^p`: 1 (the paper's default, exact in
    /// O(n log n)), 2 (the one its speed benchmark timed, O(n) by the Gauss
    /// transform), or any other positive value (O(n^2) per row).
    public var power: Double
    /// Descending (row 0 picks the largest score, the paper's order) or ascending.
    public var direction: SortDirection
    /// The backend to run on, or `nil` for `Backend.preferred()`.
    public var backend: Backend?
    /// The number of threads, or `nil` for `Parallelism.defaultThreadCount`.
    /// Results are bitwise identical for every thread count.
    public var threads: Int?
    /// The gauss path's bound `epsilon` in `1e-16 ... 1e-2`, or `nil` for
    /// `1e-13`: every sum `sum_j q_j g(.)` is within `epsilon sum_j |q_j|` of
    /// the exact one (<doc:GaussTransform>). Other paths are exact and ignore it.
    public var accuracy: Double?
    /// Gumbel noise on the scores (the stochastic SoftSort), or `nil`.
    public var perturbation: GumbelPerturbation?

    /// Creates a SoftSort operator. The parameters are checked when it runs.
    ///
    /// - Parameters:
    ///   - temperature: `tau > 0`.
    ///   - power: `p > 0`.
    ///   - direction: `.descending` (default) or `.ascending`.
    ///   - backend: the kernels' backend, or `nil` for the preferred one.
    ///   - threads: at least 1, or `nil` for `Parallelism.defaultThreadCount`.
    ///   - accuracy: the gauss path's bound, or `nil` for `1e-13`.
    ///   - perturbation: Gumbel noise on the scores, or `nil` (default).
    /// - Complexity: O(1).
    public init(
        temperature: Double = 1, power: Double = 1, direction: SortDirection = .descending,
        backend: Backend? = nil, threads: Int? = nil, accuracy: Double? = nil, perturbation: GumbelPerturbation? = nil
    ) {
        self.temperature = temperature
        self.power = power
        self.direction = direction
        self.backend = backend
        self.threads = threads
        self.accuracy = accuracy
        self.perturbation = perturbation
    }

    /// Checks a batch of score rows and the operator's parameters once; the
    /// result computes every output (`P`, `P V`, `P^T U`, sorted values,
    /// ranks, top-k, quantiles, the losses) on request, each with its backward.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - path: `.automatic` (default: the fastest path for each output),
    ///     or the path every output runs on.
    ///   - workspace: buffers to reuse across calls (a training loop), or
    ///     `nil` for fresh ones; see `Workspace` for the sharing rule.
    /// - Returns: the checked request; nothing is computed yet but the scores'
    ///   scale (and the perturbed rows, with a perturbation).
    /// - Throws: `SoftSortError.invalidTemperature`, `.invalidPower`,
    ///   `.invalidDimension` (a negative shape), `.shapeOverflow` (`B n`
    ///   overflows `Int`), `.sizeMismatch`, `.nonFiniteScore`,
    ///   `.invalidThreadCount`, `.backendUnavailable`,
    ///   `.invalidArgument(name: "accuracy", ...)`, `.unsupportedPath` for
    ///   `.exact` with `p != 1` or `.gauss` with `p != 2`,
    ///   `.invalidWindowWidth` / `.invalidArgument(name: "tolerance", ...)`
    ///   for a bad window, `.invalidSampleCount` / `.nonPositiveScore` for a
    ///   perturbation. Finite scores of any magnitude give finite results:
    ///   huge ones are rescaled exactly (`P(s, tau) = P(s / c, tau / c^p)`,
    ///   `c` a power of two; <doc:Accuracy>).
    /// - Complexity: O(B n) (one pass for the scale).
    // The public entry points are specialized for Float and Double and
    // exported, so that calls from other modules (the C ABI, simd-bench, a
    // user's code) run specialized code rather than look up generic
    // metadata at each step (a quarter of a short row's call).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, path: SoftSortPath = .automatic, workspace: Workspace<T>? = nil
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        let power = try Validation.power(power)
        return RelaxedPermutation(plan: try Plan(
            method: .softSort(power), temperature: temperature, direction: direction, backend: backend,
            threads: threads, scores: scores, batch: batch, count: count, path: path, accuracy: accuracy,
            perturbation: perturbation, workspace: workspace))
    }
}
