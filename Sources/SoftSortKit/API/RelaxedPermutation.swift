/// The relaxed permutations of a batch of score rows, as `SoftSort.forward`
/// and `NeuralSort.forward` return them: the checked call, from which every
/// output is computed on request, each with its own `backward(_:)`.
///
/// Notation: `P` is the `n x n` matrix of batch row `b`, rows in sorted order
/// (row 0 = largest score, descending), columns in the scores' own order.
/// Values `V` are `batch x count x d` in column order; `U` (for `P^T U`) is
/// `batch x count x d` in row (sorted) order.
///
/// Each output runs on the path the forward was given, or with `.automatic`
/// on the fastest path that computes it (`path(for:)` below says which). The
/// output reports the `path`, `backend` and `threads` that ran. A path that
/// cannot compute an output throws `SoftSortError.unsupportedPath` naming one
/// that can. Outputs are computed independently: two outputs of one result
/// each run their path's forward (the sort and the normalizers).
///
/// | output | dense | fused | exact (p = 1) | gauss (p = 2) | window |
/// |---|---|---|---|---|---|
/// | `matrices()` | O(B n^2) | - | - | - | O(B n^2) |
/// | `sparseRows(rows:)` | - | - | - | - | O(B n w) |
/// | `apply(to:)`, `topK`, `quantiles` | O(B n^2 d) | O(B n^2 d) | O(B n d + B n log n) | O(B n d) | O(B n w d) |
/// | `applyTransposed(to:)` | O(B n^2 d) | - | O(B n d + B n log n) | O(B n d) | O(B n w d) |
/// | `sortedValues()` | O(B n^2) | O(B n^2) | O(B n log n) | O(B n) | O(B n w) |
/// | `ranks()` | O(B n^2) | - | O(B n log n) | O(B n) | O(B n w) |
/// | `crossEntropy(targets:)` | O(B n^2) | O(B n^2) | O(B n log n) | O(B n) | - |
/// | `nearestNeighborLoss(matches:k:)` | O(B n^2) | O(B k n) | O(B n log n) | O(B n) | O(B k w) |
/// | `logNormalizers()` | - | - | O(B n log n) | O(B n) | - |
///
/// The gauss path sorts with an O(B n) radix sort; memory is O(B n) on every
/// path but dense (O(B n^2)) and window (O(B n w)).
public struct RelaxedPermutation<T: SoftSortScalar>: Sendable {
    let plan: Plan<T>

    init(plan: Plan<T>) {
        self.plan = plan
    }

    /// The number of score rows `B` (times `samplesPerRow` with a perturbation).
    public var batch: Int { plan.shape.batch }
    /// The length `n` of each score row.
    public var count: Int { plan.shape.count }
    /// The path the forward was given (`.automatic` by default).
    public var path: SoftSortPath { plan.path }
    /// The score rows the outputs see, `batch x count`: the caller's scores,
    /// or with a `GumbelPerturbation` the perturbed samples.
    public var scores: [T] { plan.scores }
    /// The number of threads every output runs on.
    public var threads: Int { plan.configuration.scheduler.threads }

    /// The path that computes `output` for this result: the forward's path,
    /// or the one `.automatic` chooses.
    ///
    /// - Parameter output: the output's name as `OutputKind` spells it:
    ///   `"matrices"`, `"product"`, `"transposedProduct"`, `"sortedValues"`,
    ///   `"ranks"`, `"crossEntropy"`, `"nearestNeighbors"`, `"logNormalizers"`.
    /// - Returns: `nil` for an unknown name.
    /// - Throws: `SoftSortError.unsupportedPath` when no path computes it.
    /// - Complexity: O(1).
    public func path(for output: String) throws(SoftSortError) -> SoftSortPath? {
        guard let kind = OutputKind(rawValue: output) else { return nil }
        return try plan.path(for: kind)
    }

    /// `batch x count` hard permutations: `permutation[b * count + i]` is the
    /// column of the `i`-th largest score of row `b` (smallest, ascending),
    /// ties broken by index (a stable sort).
    ///
    /// - Complexity: O(B n) (a radix sort), over `threads` threads.
    public var permutation: [Int] {
        SortedRows.argsortInAnyMemory(plan.scores, plan.shape, plan.configuration.direction, plan.configuration.scheduler)
    }

    /// The matrices `P`, `batch x count x count`, and their backward.
    ///
    /// - Parameter mode: `.soft` (default) or `.straightThrough` (the exact
    ///   permutation matrices forward, the soft `P` backward; dense path only).
    /// - Returns: the matrices (with `.window`, the kept entries and zeros).
    /// - Throws: `.unsupportedPath` on `.fused`, `.exact` and `.gauss` (they
    ///   never form `P`), `.shapeOverflow` when `B n^2` overflows `Int`,
    ///   `.insufficientMemory` when the matrices do not fit.
    /// - Complexity: O(B n^2) time and memory.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func matrices(_ mode: OutputMode = .soft) throws(SoftSortError) -> RelaxedMatrices<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> RelaxedMatrices<T> in
            let path = try plan.path(for: .matrices)
            if case .window(let window) = path {
                guard mode == .soft else {
                    throw .unsupportedPath(path: path.description, reason: "straight-through matrices are the dense path's")
                }
                try Validation.footprint(plan.shape, .matrices)
                let state = plan.windowState(window, rows: count)
                return RelaxedMatrices(
                    values: T.kernelSet.window.denseRows(state), mode: .soft, path: path, backend: state.kernels.backend,
                    threads: threads, batch: batch, count: count, source: .window(state), scale: plan.scale,
                    perturbation: plan.perturbation, workspace: plan.workspace)
            }
            let (matrices, state) = try plan.denseForward(mode: mode)
            return RelaxedMatrices(
                values: matrices, mode: mode, path: .dense, backend: state.kernels.backend, threads: threads, batch: batch,
                count: count, source: .dense(state), scale: plan.scale, perturbation: plan.perturbation,
                workspace: plan.workspace)
        }
    }

    /// The window path's sparse rows: the first `rows` rows of each `P`,
    /// each restricted to its window and renormalized over it.
    ///
    /// - Parameter rows: `k` in `0 ... count`, or `nil` for all.
    /// - Throws: `.unsupportedPath` on any path but `.window`,
    ///   `.invalidRowSelection` for `rows` outside `0 ... count`.
    /// - Complexity: O(B (n log n + k w)).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func sparseRows(rows: Int? = nil) throws(SoftSortError) -> SparseRows<T> {
        let path = try plan.path(for: .sparseRows)
        guard case .window(let window) = path else {
            throw .unsupportedPath(path: path.description, reason: "sparseRows(rows:) needs path: .window(...)")
        }
        let k = rows ?? count
        try Validation.rowSelection("rows", k, count: count)
        let state = try AllocationFailures.checking { plan.windowState(window, rows: k) }
        return SparseRows(state: state, path: path, scale: plan.scale, perturbation: plan.perturbation)
    }

    /// `P V` for every batch row: `Y[b, i, :] = sum_j P[b, i, j] V[b, j, :]`.
    /// With `V = s` (`dimension` 1) it is close to the sorted scores.
    ///
    /// - Parameters:
    ///   - values: `V`, `batch x count x dimension`, in the scores' column order.
    ///   - dimension: `d >= 1` (`d >= 0` on the fused path).
    /// - Returns: `batch x count x dimension`, rows in sorted order, and its
    ///   backward (to the scores and to `V`). Only the scores are rescaled,
    ///   never the values.
    /// - Throws: `.invalidDimension`, `.sizeMismatch`, `.nonFiniteInput`,
    ///   `.shapeOverflow` when `B n d` overflows, `.insufficientMemory`.
    /// - Complexity: see the table above.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func apply(to values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> RelaxedProduct<T> in
            let path = try plan.path(for: .product)
            return try product(values, dimension: dimension, transposed: false, selection: nil, path: path)
        }
    }

    /// `P^T U` for every batch row: `Y[b, j, :] = sum_i P[b, i, j] U[b, i, :]`.
    ///
    /// - Parameters:
    ///   - values: `U`, `batch x count x dimension`, rows in sorted order.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x count x dimension` in the scores' column order, and
    ///   its backward (`values` of the gradient is `dL/dU = P G`).
    /// - Throws: `.unsupportedPath` on `.fused`, and as `apply(to:dimension:)`.
    /// - Complexity: see the table above.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func applyTransposed(to values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> RelaxedProduct<T> in
            let path = try plan.path(for: .transposedProduct)
            return try product(values, dimension: dimension, transposed: true, selection: nil, path: path)
        }
    }

    /// The first `k` rows of `P V`: the relaxed top-k of the values by score.
    ///
    /// - Parameters:
    ///   - k: `0 ... count`.
    ///   - values: `V`, as `apply(to:dimension:)`.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x k x dimension` and its backward.
    /// - Throws: `.invalidRowSelection` for `k` outside `0 ... count`, and as `apply(to:dimension:)`.
    /// - Complexity: as `apply(to:dimension:)`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func topK(_ k: Int, of values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> RelaxedProduct<T> in
            let path = try plan.path(for: .product)
            try Validation.rowSelection("k", k, count: count)
            return try product(values, dimension: dimension, transposed: false, selection: Array(0..<k), path: path)
        }
    }

    /// Rows of `P V` at quantile levels: level `q` is row
    /// `round(q (count - 1))` (sorted order: `q = 0` the largest score's row,
    /// descending), one row per level.
    ///
    /// - Parameters:
    ///   - levels: each `q` in `[0, 1]`.
    ///   - values: `V`, as `apply(to:dimension:)`.
    ///   - dimension: `d >= 1`.
    /// - Returns: `batch x levels.count x dimension` and its backward.
    /// - Throws: `.invalidArgument(name: "q", ...)` for a level outside
    ///   `[0, 1]`, `.invalidRowSelection` for `count == 0`, and as `apply(to:dimension:)`.
    /// - Complexity: as `apply(to:dimension:)`.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func quantiles(_ levels: [Double], of values: [T], dimension: Int = 1) throws(SoftSortError) -> RelaxedProduct<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> RelaxedProduct<T> in
            let path = try plan.path(for: .product)
            for q in levels {
                guard q.isFinite, q >= 0, q <= 1 else { throw .invalidArgument(name: "q", value: q) }
            }
            if !levels.isEmpty { try Validation.rowSelection("quantile rows", 1, count: count, minimum: 1) }
            let rows = levels.map { min(count - 1, Int(($0 * Double(count - 1)).rounded(.toNearestOrAwayFromZero))) }
            return try product(values, dimension: dimension, transposed: false, selection: rows, path: path)
        }
    }

    /// The relaxed sorted values `P s`, `batch x count`: entry `i` of row `b`
    /// is close to the `i`-th largest score (smallest, ascending).
    ///
    /// - Returns: the values and their backward through both `P` and `s`.
    /// - Throws: `.shapeOverflow` and `.insufficientMemory` on the dense path.
    /// - Complexity: see the table above.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func sortedValues() throws(SoftSortError) -> RelaxedValues<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> RelaxedValues<T> in
            let path = try plan.path(for: .sortedValues)
            let kernelSet = T.kernelSet
            switch path {
            case .dense:
                let (matrices, state) = try plan.denseForward()
                return values(
                    withinRowRanges(plan.scale.multiply(kernelSet.dense.sortedValues(state, matrices))),
                    .denseSortedValues(state), path: path,
                    backend: state.kernels.backend)
            case .exact:
                let state = plan.exactState()
                return values(
                    withinRowRanges(plan.scale.multiply(kernelSet.exact.applyToScores(state))), .exactSortedValues(state),
                    path: path,
                    backend: state.backend)
            case .gauss:
                let state = plan.gaussState()
                return values(
                    withinRowRanges(kernelSet.gaussOutputs.sortedValues(state)), .gaussSortedValues(state), path: path,
                    backend: plan.gaussOutputBackend)
            default:
                // As the dense path: P(u) u on u = s / c, times c (P s is homogeneous of degree 1), its gradient
                // that of P(u) u; V = s would overflow the backward for huge scores.
                let product = try product(
                    plan.scaledScores, dimension: 1, transposed: false, selection: nil, path: path, perturbation: nil,
                    scoreScale: .identity)
                return values(
                    withinRowRanges(plan.scale.multiply(product.values)), .product(product, throughValues: true), path: path,
                    backend: product.backend)
            }
        }
    }

    /// The relaxed ranks `P^T r`, `r = (1, 2, ..., n)`: entry `j` of row `b`
    /// is close to the rank of score `j` (1 = largest, descending).
    ///
    /// - Returns: `batch x count` ranks, in the scores' column order, and their backward.
    /// - Throws: `.unsupportedPath` on `.fused`; `.shapeOverflow` and
    ///   `.insufficientMemory` on the dense path.
    /// - Complexity: see the table above.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func ranks() throws(SoftSortError) -> RelaxedValues<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> RelaxedValues<T> in
            let path = try plan.path(for: .ranks)
            let kernelSet = T.kernelSet
            switch path {
            case .exact:
                let state = plan.exactState()
                let ranks = kernelSet.exact.applyTransposed(state, kernelSet.exact.rankRows(plan.shape), 1)
                return values(ranks, .exactRanks(state), path: path, backend: state.backend, gradientScale: plan.scale)
            case .gauss:
                let state = plan.gaussState()
                return values(kernelSet.gaussOutputs.ranks(state), .gaussRanks(state), path: path, backend: plan.gaussOutputBackend)
            default:
                let product = try product(
                    kernelSet.exact.rankRows(plan.shape), dimension: 1, transposed: true, selection: nil, path: path,
                    perturbation: nil)
                return values(product.values, .product(product, throughValues: false), path: path, backend: product.backend)
            }
        }
    }

    /// The paper's sorting loss, the cross-entropy of the relaxed
    /// permutations against target columns, with its gradient:
    ///
    ///     L = -sum_(b, i) log P[b, i, t[b, i]]                     (a SUM over all B n rows)
    ///       =  sum_(b, i) |c_i - s_(t_i)|^p / tau + log Z_i        (computed so, never log of P)
    ///
    /// `t[b, i]` is the column row `i` of batch row `b` should pick (the
    /// identity permutation is the paper's task; any columns are allowed).
    /// Every path computes the same sum, in `Double`, rounded to `T` once; it
    /// is `+infinity` only when the true sum exceeds `T.greatestFiniteMagnitude`.
    ///
    /// With a `GumbelPerturbation`, `targets` has the caller's `B` rows (each
    /// sample of a row gets its row's targets) and the loss is the mean over
    /// the samples of their sums.
    ///
    /// - Parameter targets: `t`, `B x count` columns in `0 ..< count`.
    /// - Returns: the loss, `dL/ds` and the path and backend that ran.
    /// - Throws: `.sizeMismatch` / `.indexOutOfRange` for `targets`,
    ///   `.unsupportedPath` on the window, `.shapeOverflow` and
    ///   `.insufficientMemory` on the dense path.
    /// - Complexity: see the table above.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func crossEntropy(targets: [Int]) throws(SoftSortError) -> Loss<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> Loss<T> in
            let path = try plan.path(for: .crossEntropy)
            try Validation.targets(targets, shape: plan.callerShape)
            let rows = plan.perturbation?.repeatRows(targets) ?? targets
            let loss: Loss<T>
            switch path {
            case .exact: loss = plan.exactCrossEntropy(targets: rows)
            case .gauss: loss = plan.gaussCrossEntropy(targets: rows)
            default: loss = try plan.rowLoss(.crossEntropy(targets: rows), path: path)
            }
            return plan.perturbation?.sampleMean(loss) ?? loss
        }
    }

    /// The paper's differentiable kNN loss (section 5.4, after Grover et al.):
    /// with the scores as negative distances from a query to `n` candidates
    /// and `y` the indicator of candidates of the query's class,
    ///
    ///     L = -(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]           (a MEAN over the B k rows)
    ///
    /// With a `GumbelPerturbation`, `matches` has the caller's `B` rows and
    /// the mean runs over every sample's `k` rows.
    ///
    /// - Parameters:
    ///   - matches: `y`, `B x count` (1 where the candidate's class
    ///     matches, else 0; any finite values work), not differentiated.
    ///   - k: the number of neighbours, `1 ... count`.
    /// - Returns: the loss, `dL/ds` and the path and backend that ran.
    /// - Throws: `.sizeMismatch` / `.nonFiniteInput` for `matches`,
    ///   `.invalidRowSelection` for `k` outside `1 ... count`.
    /// - Complexity: see the table above.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func nearestNeighborLoss(matches: [T], k: Int) throws(SoftSortError) -> Loss<T> {
        try holding(plan.workspace) { () throws(SoftSortError) -> Loss<T> in
            let path = try plan.path(for: .nearestNeighbors)
            try Validation.matrix("matches", matches, shape: plan.callerShape, dimension: 1)
            try Validation.rowSelection("k", k, count: count, minimum: 1)
            // A mean over the rows already: with samples, the mean over them too.
            let matches = plan.perturbation?.repeatRows(matches) ?? matches
            switch path {
            case .exact: return try scaledMatches(matches) { y in plan.exactNearestNeighborLoss(matches: y, k: k) }
            // The row losses have SoftSort's kNN only; NeuralSort's goes through its dense product.
            case .dense where plan.power != nil, .fused:
                return try scaledMatches(matches) { y throws(SoftSortError) in
                    try plan.rowLoss(.nearestNeighbors(matches: y, k: k), path: path)
                }
            default:
                // <G, P y> over the first k rows, G = -1 / (B k): through the path's product.
                let product = try product(matches, dimension: 1, transposed: false, selection: Array(0..<k), path: path)
                let weight = -1 / (T(batch) * T(k))
                var loss = 0.0
                for y in product.values { loss += Double(weight) * Double(y) }
                let gradient = try product.backwardHeld([T](repeating: weight, count: product.values.count))
                return Loss(value: T(loss), gradient: gradient.scores, path: path, backend: product.backend)
            }
        }
    }

    /// A loss linear in `matches`, run on `y / c` and multiplied by `c`
    /// (`c` a power of two): matches near `T`'s largest would overflow its
    /// sums. `c = 1` unless sums of `n` terms `|y| |x|^(p - 1) / tau`,
    /// `tau >= 2^-12`, could leave the range; the product path scales its
    /// values itself.
    private func scaledMatches(
        _ matches: [T], _ loss: ([T]) throws(SoftSortError) -> Loss<T>
    ) throws(SoftSortError) -> Loss<T> {
        let bits = Int.bitWidth - max(count, 1).leadingZeroBitCount
        let scale = ScoreScale<T>(
            largestMagnitude: Validation.largestMagnitude(matches),
            limitExponent: Int(T.greatestFiniteMagnitude.exponent) - 2 - bits - 16 - derivativeExponent)
        let result = try loss(scale.divide(matches))
        guard !scale.isIdentity else { return result }
        return Loss(
            value: result.value * scale.factor, gradient: scale.multiply(result.gradient), path: result.path,
            backend: result.backend)
    }

    /// At least the exponent of `|x|^(p - 1)` over the rescaled scores'
    /// differences (at most `2 M / c`): 0 for `p <= 1` and NeuralSort.
    private var derivativeExponent: Int {
        let spread = 2 * (plan.scale.largestMagnitude / plan.scale.factor)
        guard case .softSort(let p) = plan.method, p.value > 1, spread >= 1 else { return 0 }
        return Int(min((p.value - 1) * Double(spread.exponent + 1), 4096)) + 1
    }

    /// `log Z_i` for every row of every `P`, `batch x count` (rows sorted):
    /// `Z_i = sum_j exp(-|x_i - s_j|^p / tau) >= 1`, so every entry is finite
    /// and `log P[i, j] = -|x_i - s_j|^p / tau - log Z_i`.
    ///
    /// - Throws: `.unsupportedPath` on any path but `.exact` and `.gauss`.
    /// - Complexity: O(B n log n) (exact), O(B n) (gauss).
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func logNormalizers() throws(SoftSortError) -> [T] {
        try holding(plan.workspace) { () throws(SoftSortError) -> [T] in
            let path = try plan.path(for: .logNormalizers)
            if path == .gauss { return T.kernelSet.gaussOutputs.logNormalizers(plan.gaussState()) }
            return T.kernelSet.exact.logNormalizers(plan.exactState())
        }
    }

    /// `P X` or `P^T X` on `path`, with the rows `selection` kept.
    private func product(
        _ input: [T], dimension d: Int, transposed: Bool, selection: [Int]?, path: SoftSortPath
    ) throws(SoftSortError) -> RelaxedProduct<T> {
        try product(input, dimension: d, transposed: transposed, selection: selection, path: path, perturbation: plan.perturbation)
    }

    private func product(
        _ input: [T], dimension d: Int, transposed: Bool, selection: [Int]?, path: SoftSortPath,
        perturbation: PerturbedRows<T>?, scoreScale: ScoreScale<T>? = nil
    ) throws(SoftSortError) -> RelaxedProduct<T> {
        let scoreScale = scoreScale ?? plan.scale
        try Validation.matrix("values", input, shape: plan.shape, dimension: d, minimumDimension: path == .fused ? 0 : 1)
        // Values near T's largest: P V is linear in V, so it runs on V / c (c a
        // power of two, the scores' rule for p = 1) and its values and score
        // gradient are multiplied by c, with no inf - inf in the backward.
        let valueScale = ScoreScale<T>(input, bound: .distance(power: 1, count: count))
        let input = valueScale.divide(input)
        let kernelSet = T.kernelSet, shape = plan.shape
        func made(_ full: [T], rows: Int, _ source: RelaxedProduct<T>.Source, backend: Backend, scale: ScoreScale<T>) -> RelaxedProduct<T> {
            RelaxedProduct(
                full: valueScale.multiply(full), fullRows: rows, dimension: d, selection: selection, source: source, shape: shape, path: path,
                backend: backend, threads: threads, scale: scale, perturbation: perturbation, workspace: plan.workspace,
                valueScale: valueScale)
        }
        switch path {
        case .fused:
            let state = try plan.fusedProduct(of: input, dimension: d)
            return made(state.output, rows: count, .fused(state), backend: state.kernels.backend, scale: scoreScale)
        case .dense:
            let state = try plan.denseForward().state
            return made(
                kernelSet.dense.product(state, input, d, transposed), rows: count,
                .dense(state, input: input, transposed: transposed), backend: state.kernels.backend, scale: scoreScale)
        case .exact:
            let state = plan.exactState()
            let full = transposed ? kernelSet.exact.applyTransposed(state, input, d) : kernelSet.exact.apply(state, input, d)
            return made(full, rows: count, .exact(state, input: input, transposed: transposed), backend: state.backend, scale: scoreScale)
        case .gauss:
            let state = plan.gaussState()
            if transposed {
                return made(
                    kernelSet.gaussOutputs.applyTransposed(state, input, d), rows: count,
                    .gaussTransposed(state, input: input), backend: plan.gaussOutputBackend, scale: .identity)
            }
            let result = kernelSet.gaussOutputs.apply(state, input, d)
            return made(result.output, rows: count, .gauss(result.product), backend: plan.gaussOutputBackend, scale: .identity)
        case .window(let window):
            // Only the rows kept are needed when they are the first ones (top-k, kNN).
            let prefix = !transposed && (selection.map { $0 == Array(0..<$0.count) } ?? false)
            let rows = prefix ? selection?.count ?? count : count
            let state = plan.windowState(window, rows: rows)
            let full = kernelSet.window.product(state, input, d, transposed)
            return RelaxedProduct(
                full: valueScale.multiply(full), fullRows: rows, dimension: d, selection: prefix ? nil : selection,
                source: .window(state, input: input, transposed: transposed), shape: shape, path: path,
                backend: state.kernels.backend, threads: threads, scale: scoreScale, perturbation: perturbation,
                workspace: plan.workspace, valueScale: valueScale)
        case .automatic:
            throw .unsupportedPath(path: "automatic", reason: "a path is chosen before a product runs")
        }
    }

    /// `values` with each entry kept within its row's smallest and largest
    /// score. `P s` is a convex combination of the row's scores, but row sums
    /// a few ulps above 1 could carry it past them, to infinity for a row at
    /// the type's largest magnitude. A NaN stays NaN. In place: `values` is
    /// the producer's fresh array, consumed, so no copy is made.
    private func withinRowRanges(_ values: consuming [T]) -> [T] {
        Self.clamp(values, toTheRowsOf: plan.scores, count: count)
    }

    /// `withinRowRanges`' loop, specialized for the two element types (the
    /// generic entry points are not: an unspecialized loop costs a witness
    /// call per comparison, a tenth of a long row's sorted values).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private static func clamp(_ values: consuming [T], toTheRowsOf scores: [T], count n: Int) -> [T] {
        guard n > 0 else { return values }
        scores.withUnsafeBufferPointer { s in
            values.withUnsafeMutableBufferPointer { v in
                for row in stride(from: 0, to: v.count, by: n) {
                    var low = s[row], high = s[row]
                    for j in row + 1 ..< row + n {
                        if s[j] < low { low = s[j] } else if s[j] > high { high = s[j] }
                    }
                    for i in row ..< row + n {
                        if v[i] < low { v[i] = low } else if v[i] > high { v[i] = high }
                    }
                }
            }
        }
        return values
    }

    private func values(
        _ values: [T], _ source: RelaxedValues<T>.Source, path: SoftSortPath, backend: Backend,
        gradientScale: ScoreScale<T> = .identity
    ) -> RelaxedValues<T> {
        RelaxedValues(
            values: values, batch: batch, count: count, path: path, backend: backend, threads: threads, source: source,
            gradientScale: gradientScale, perturbation: plan.perturbation, workspace: plan.workspace)
    }
}
