extension SoftSort {
    /// The paper's sorting loss, the cross-entropy of the relaxed
    /// permutations against target columns, with its gradient:
    ///
    ///     L = -sum_(b, i) log P[b, i, t[b, i]]                     (a SUM over all B n rows)
    ///       =  sum_(b, i) |c_i - s_(t_i)|^p / tau + log Z_i        (computed so, never log of P)
    ///     dL/dz_ij = P_ij - [j = t_i]  (z_ij the logits), then through the logits and the sort
    ///
    /// `t[b, i]` is the column row `i` of batch row `b` should pick (the
    /// identity permutation is the paper's task; any columns are allowed).
    /// Every path computes the same sum, in `Double`, rounded to `T` once.
    ///
    /// ```swift
    /// let loss = try SoftSort(temperature: 0.1, power: 2)
    ///     .crossEntropy(scores: [0.3, 2.0, -1.0], targets: [1, 0, 2], batch: 1, count: 3)
    /// loss.value      // small: the targets are the hard permutation
    /// loss.gradient   // dL/ds
    /// ```
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - targets: `batch x count` columns in `0 ..< count`.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - path: `.automatic` (`.exact` for `p = 1`, `.gauss` for `p = 2`,
    ///     else `.fused`), `.fused` (one row of `P` at a time), `.dense`
    ///     (through `P`), `.exact` (`p = 1` only) or `.gauss` (`p = 2` only).
    ///   - workspace: buffers to reuse across calls (the `.fused`, `.gauss`
    ///     and `.exact` paths then allocate nothing in the steady state), or `nil`
    ///     for fresh ones (see `LossWorkspace` for the sharing rule).
    /// - Returns: the loss, `dL/ds` and the path and backend that ran.
    /// - Throws: as `forward(scores:batch:count:mode:workspace:)` (the
    ///   `.shapeOverflow` check is `B n^2` for `.dense`, `B n` otherwise),
    ///   and `.sizeMismatch` / `.indexOutOfRange` for `targets`,
    ///   `.unsupportedPath` for `.exact` with `p != 1` or `.gauss` with `p != 2`,
    ///   `.insufficientMemory` when `.dense`'s `B x n x n` matrices do not fit
    ///   (the message names `.fused`). Huge finite scores are rescaled exactly
    ///   on every path (`ScoreScale`); the loss is `+infinity` only when the
    ///   true sum exceeds `T.greatestFiniteMagnitude`.
    /// - Complexity: `.gauss` O(B n) after the O(B n) radix sort;
    ///   `.fused` and `.dense` O(B n^2) time over `threads`
    ///   threads; memory O(B n) (`.fused`, `.exact`) or O(B n^2) (`.dense`);
    ///   `.exact` O(B n log n) time.
    public func crossEntropy<T: SoftSortScalar>(
        scores: [T], targets: [Int], batch: Int, count: Int,
        path: LossPath = .automatic, workspace: LossWorkspace<T>? = nil
    ) throws(SoftSortError) -> Loss<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, power: power, direction: direction, backend: backend, threads: threads)
        let resolved = try Validation.softSortPath(path, power: configuration.power, gauss: true)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: Validation.footprint(of: resolved))
        try Validation.targets(targets, shape: shape)
        if resolved == .gauss {
            return T.kernelSet.gauss.crossEntropy(scores, targets, shape, temperature, configuration, workspace)
        }
        if resolved == .exact {
            return Self.exactCrossEntropy(
                scores: scores, targets: targets, shape: shape, configuration: configuration,
                workspace: workspace ?? LossWorkspace())
        }
        return try Self.run(LossRequest(
            scores: scores, shape: shape, method: .softSort(configuration.power),
            objective: .crossEntropy(targets: targets), configuration: configuration, workspace: workspace),
            path: resolved)
    }

    /// The paper's differentiable kNN loss (section 5.4) on the first `k`
    /// rows of the relaxed permutations, with its gradient (the definition of
    /// `ExactRelaxedPermutation.nearestNeighborLoss`):
    ///
    ///     L = -(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]           (a MEAN over the B k rows)
    ///
    /// with the scores as negative distances from a query to `n` candidates
    /// and `y` the indicator of the candidates of the query's class. The
    /// `.fused` path computes only the `k` rows it needs.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - matches: `y`, `batch x count` (1 where the candidate's class
    ///     matches, else 0; any finite values work), not differentiated.
    ///   - k: the number of neighbours, `1 ... count`.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - path: as `crossEntropy(scores:targets:batch:count:path:workspace:)`.
    ///   - workspace: buffers to reuse across calls, or `nil`.
    /// - Returns: the loss, `dL/ds` and the path and backend that ran.
    /// - Throws: as `crossEntropy(scores:targets:batch:count:path:workspace:)`,
    ///   and `.sizeMismatch` / `.nonFiniteInput` for `matches`,
    ///   `.invalidRowSelection` for `k` outside `1 ... count`.
    /// - Complexity: `.fused` O(B k n) time, O(B n) memory; `.dense` O(B n^2)
    ///   time and memory; `.exact` O(B n log n).
    public func nearestNeighborLoss<T: SoftSortScalar>(
        scores: [T], matches: [T], k: Int, batch: Int, count: Int,
        path: LossPath = .automatic, workspace: LossWorkspace<T>? = nil
    ) throws(SoftSortError) -> Loss<T> {
        let configuration = try Configuration<T>(
            temperature: temperature, power: power, direction: direction, backend: backend, threads: threads)
        let resolved = try Validation.softSortPath(path, power: configuration.power)
        let shape = try Validation.batch(scores, batch: batch, count: count, footprint: Validation.footprint(of: resolved))
        try Validation.matrix("matches", matches, shape: shape, dimension: 1)
        try Validation.rowSelection("k", k, count: count, minimum: 1)
        if resolved == .exact {
            return try ExactSoftSort.forward(checkedScores: scores, shape: shape, configuration: configuration)
                .nearestNeighborLoss(matches: matches, k: k)
        }
        return try Self.run(LossRequest(
            scores: scores, shape: shape, method: .softSort(configuration.power),
            objective: .nearestNeighbors(matches: matches, k: k), configuration: configuration,
            workspace: workspace), path: resolved)
    }

    /// The `.exact` cross-entropy of checked scores and targets in
    /// `workspace` (its gradient `workspace.gradient`), on the scores divided
    /// by their `ScoreScale` as `ExactSoftSort.forward` runs them.
    static func exactCrossEntropy<T: SoftSortScalar>(
        scores: [T], targets: [Int], shape: BatchShape, configuration: Configuration<T>, workspace: LossWorkspace<T>
    ) -> Loss<T> {
        let scale = ScoreScale(scores, bound: .distance(power: 1))
        let kernelSet = T.kernelSet, kernels = kernelSet.kernels(for: configuration.backend)
        let loss = kernelSet.exact.crossEntropyInWorkspace(
            scale.divide(scores), targets, shape, configuration.rescaled(by: scale, power: 1), kernels, workspace)
        if !scale.isIdentity {
            // In place, as `scale.divide` rounds it: no allocation on this path either.
            let c = scale.factor
            workspace.gradient.withMutableBase { g in
                for j in 0..<shape.elements { g[j] /= c }
            }
        }
        return Loss(value: T(loss), gradient: workspace.gradient, path: .exact, backend: kernels.scanBackend)
    }

    /// Runs a checked `.dense` or `.fused` loss (SoftSort or NeuralSort) on
    /// the scores divided by their `ScoreScale` (the loss is unchanged, its
    /// gradient divided by `c`), after the memory check of `.dense`.
    static func run<T: SoftSortScalar>(_ request: LossRequest<T>, path: LossPath) throws(SoftSortError) -> Loss<T> {
        let kernelSet = T.kernelSet, backend = request.configuration.backend, shape = request.shape
        let power: DistancePower? = if case .softSort(let p) = request.method { p } else { nil }
        let scale = ScoreScale(
            request.scores, bound: power.map { .distance(power: $0.value) } ?? .neuralSort(count: shape.count))
        let scaled = LossRequest(
            scores: scale.divide(request.scores), shape: shape, method: request.method, objective: request.objective,
            configuration: request.configuration.rescaled(by: scale, power: power?.value ?? 1),
            workspace: request.workspace)
        let loss: Loss<T>
        if path == .dense {
            try MemoryBudget.require(
                MemoryBudget.product(shape.batch, shape.count, shape.count), of: T.self,
                alternative: "path: .fused computes the same loss one row of P at a time, in O(B n) memory")
            var kernels = kernelSet.denseKernels(backend, power: power)
            if power == nil, WideLogitKernels.neuralSortMayOverflow(
                count: shape.count, largestMagnitude: scale.largestMagnitude, temperature: request.configuration.temperature) {
                kernels = kernelSet.dense.wideLogitKernels
            }
            loss = kernelSet.loss.dense(scaled, kernels)
        } else {
            // NeuralSort's column sums and their backward run the requested
            // backend's dense kernels (C ones for Float on avx2), as the dense
            // path's do; the reported backend is the loss rows' (the O(n^2) bulk).
            let kernels = kernelSet.lossKernels(backend, method: request.method, objective: request.objective)
            loss = kernelSet.loss.fused(scaled, kernels, kernelSet.denseKernels(backend, power: nil))
        }
        return scale.isIdentity ? loss : Loss(value: loss.value, gradient: scale.divide(loss.gradient), path: loss.path, backend: loss.backend)
    }
}
