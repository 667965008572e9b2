/// A forward call after its checks: the one place a call's arguments are
/// validated, its scores rescaled and its kernels' backend chosen. Every
/// output of a `RelaxedPermutation` runs from its plan.
struct Plan<T: SoftSortScalar>: Sendable {
    /// SoftSort with its `p`, or NeuralSort.
    let method: DenseMethod
    /// The rows the outputs see: the caller's scores, or the perturbed rows.
    let scores: [T]
    let shape: BatchShape
    /// The caller's parameters in `T`, checked.
    let configuration: Configuration<T>
    /// The caller's temperature as given (the gauss path runs in `Double`).
    let temperature: Double
    /// The power of two the scores are divided by (`ScoreScale`), so that no
    /// logit overflows; `P` is unchanged by it.
    let scale: ScoreScale<T>
    /// `scores / c`, and the configuration with `tau / c^p`.
    let scaledScores: [T]
    let scaledConfiguration: Configuration<T>
    /// The path the caller asked for.
    let path: SoftSortPath
    let workspace: Workspace<T>?
    /// The gauss path's bound `epsilon` (`GaussPlan`), checked.
    let accuracy: Double
    /// How score gradients fold back onto the caller's rows, with a perturbation.
    let perturbation: PerturbedRows<T>?

    /// Checks every argument of a forward.
    init(
        method: DenseMethod, temperature: Double, direction: SortDirection, backend: Backend?, threads: Int?,
        scores: [T], batch: Int, count: Int, path: SoftSortPath, accuracy: Double?, perturbation: GumbelPerturbation?,
        workspace: Workspace<T>?
    ) throws(SoftSortError) {
        let epsilon = accuracy ?? GaussEngine.defaultAccuracy
        guard epsilon.isFinite, epsilon >= 1e-16, epsilon <= 1e-2 else {
            throw .invalidArgument(name: "accuracy", value: epsilon)
        }
        let power: Double = if case .softSort(let p) = method { p.value } else { 1 }
        let configuration = try Configuration<T>(
            temperature: temperature, power: power, direction: direction, backend: backend, threads: threads)
        var shape = try Validation.batch(scores, batch: batch, count: count, footprint: .rows)
        try Self.check(path, method: method)
        var rows = scores
        if let perturbation {
            let made = try PerturbedRows.make(perturbation, scores: scores, shape: shape)
            self.perturbation = made.rows
            rows = made.perturbed
            shape = made.shape
        } else {
            self.perturbation = nil
        }
        let scale: ScoreScale<T>
        switch method {
        case .softSort(let p): scale = ScoreScale(rows, bound: .distance(power: p.value, count: shape.count))
        case .neuralSort: scale = ScoreScale(rows, bound: .neuralSort(count: shape.count))
        }
        self.method = method
        self.scores = rows
        self.shape = shape
        self.configuration = configuration
        self.temperature = temperature
        self.scale = scale
        self.scaledScores = scale.divide(rows)
        self.scaledConfiguration = configuration.rescaled(by: scale, power: power)
        self.path = path
        self.workspace = workspace
        self.accuracy = epsilon
    }

    /// What every path sorts the rows by: `nil` when the scale is 1 (the
    /// scaled scores are the scores), else `scores`. Dividing by `c` turns
    /// distinct subnormal scores into ties with 0; sorting the caller's
    /// values keeps the order their stable argsort gives (`SortedRows.sort`).
    var sortKeys: [T]? { scale.isIdentity ? nil : scores }

    /// The caller's rows: `shape` before a perturbation's samples.
    var callerShape: BatchShape {
        guard let perturbation else { return shape }
        return BatchShape(batch: perturbation.batch, count: shape.count)
    }

    /// The distance power of SoftSort (`nil` for NeuralSort).
    var power: DistancePower? {
        if case .softSort(let p) = method { p } else { nil }
    }

    /// `dL/ds` of the caller's scores given `dL/ds` of the plan's rows.
    func fold(_ gradient: [T]) -> [T] {
        perturbation?.fold(gradient) ?? gradient
    }

    /// The checks of the path itself, before any work: the window's
    /// parameters, the exact and gauss paths' powers, NeuralSort's paths.
    static func check(_ path: SoftSortPath, method: DenseMethod) throws(SoftSortError) {
        switch (path, method) {
        case (.automatic, _), (.dense, _), (.fused, _): return
        case (.exact, .softSort(.one)), (.gauss, .softSort(.two)): return
        case (.exact, .softSort):
            throw .unsupportedPath(path: "exact", reason: "the exact scans need p = 1; use .gauss for p = 2, else .fused")
        case (.gauss, .softSort):
            throw .unsupportedPath(path: "gauss", reason: "the Gauss transform needs p = 2; use .exact for p = 1, else .fused")
        case (.window(let window), .softSort):
            switch window {
            case .ranks(let w): guard w >= 0 else { throw .invalidWindowWidth(w) }
            case .tolerance(let t):
                guard t.isFinite, t > 0, t < 1 else { throw .invalidArgument(name: "tolerance", value: t) }
            }
        case (_, .neuralSort):
            throw .unsupportedPath(path: path.description, reason: "NeuralSort runs on the dense and fused paths only")
        }
    }
}
