import SoftSortKit

/// The relaxed sorts the tasks train with, under the names the JSON uses.
package enum RelaxedOperator: String, CaseIterable, Sendable, Codable {
    /// Deterministic SoftSort, `p = 1` (the paper's choice for these tasks).
    case softSort = "softsort"
    /// Stochastic SoftSort: SoftSort of Gumbel-perturbed scores
    /// (`SoftSort(perturbation: GumbelPerturbation(...))`), outputs averaged over the samples.
    case stochasticSoftSort = "softsort-stochastic"
    /// Deterministic NeuralSort.
    case neuralSort = "neuralsort"
    /// Stochastic NeuralSort: NeuralSort has no perturbation option, so the
    /// scores are repeated and perturbed here, as `GumbelPerturbation` does
    /// (`s + g`, `g` Gumbel(0, 1)), and the gradients summed back.
    case stochasticNeuralSort = "neuralsort-stochastic"

    package var isStochastic: Bool { self == .stochasticSoftSort || self == .stochasticNeuralSort }
}

/// One operator at one temperature, with its Gumbel samples: the three
/// outputs the tasks train through (the cross-entropy, a quantile row of
/// `P V`, the kNN loss), each with `dL/dscores` for the caller's `B` rows.
/// `Double` throughout, one thread, `path: .automatic`.
package struct Relaxation: Sendable {
    package let op: RelaxedOperator
    package let temperature: Double
    /// Gumbel samples per row (stochastic operators only).
    package let samples: Int

    package init(_ op: RelaxedOperator, temperature: Double, samples: Int) {
        self.op = op
        self.temperature = temperature
        self.samples = op.isStochastic ? samples : 1
    }

    /// The forward of `batch x count` scores; with samples, of the `batch *
    /// samples` perturbed rows (sample `m` of row `b` is row `b * samples + m`).
    private func forward(_ scores: [Double], batch: Int, count: Int, noiseSeed: UInt64) throws -> RelaxedPermutation<Double> {
        switch op {
        case .softSort:
            return try SoftSort(temperature: temperature, power: 1, threads: 1).forward(scores: scores, batch: batch, count: count)
        case .stochasticSoftSort:
            let perturbation = GumbelPerturbation(samplesPerRow: samples, seed: noiseSeed)
            return try SoftSort(temperature: temperature, power: 1, threads: 1, perturbation: perturbation)
                .forward(scores: scores, batch: batch, count: count)
        case .neuralSort:
            return try NeuralSort(temperature: temperature, threads: 1).forward(scores: scores, batch: batch, count: count)
        case .stochasticNeuralSort:
            var noise = SplitMix(seed: noiseSeed)
            var perturbed = [Double](repeating: 0, count: batch * samples * count)
            for b in 0..<batch {
                for m in 0..<samples {
                    for j in 0..<count { perturbed[(b * samples + m) * count + j] = scores[b * count + j] + noise.gumbel() }
                }
            }
            return try NeuralSort(temperature: temperature, threads: 1).forward(
                scores: perturbed, batch: batch * samples, count: count)
        }
    }

    /// `rows` repeated `samples` times each (row `b` becomes rows `b * samples ..< (b + 1) * samples`).
    func repeated<E>(_ rows: [E], width: Int) -> [E] {
        guard samples > 1 else { return rows }
        var result: [E] = []
        result.reserveCapacity(rows.count * samples)
        for b in 0..<rows.count / width {
            for _ in 0..<samples { result += rows[b * width ..< (b + 1) * width] }
        }
        return result
    }

    /// The samples' rows summed onto their row.
    func folded(_ rows: [Double], width: Int) -> [Double] {
        guard samples > 1 else { return rows }
        let batch = rows.count / (width * samples)
        var result = [Double](repeating: 0, count: batch * width)
        for b in 0..<batch {
            for m in 0..<samples {
                for j in 0..<width { result[b * width + j] += rows[(b * samples + m) * width + j] }
            }
        }
        return result
    }

    /// The paper's sorting loss, the cross-entropy of `P`'s rows against the
    /// true permutation, as a mean per row (`L / (B n)`; with samples, also
    /// over the samples), and its gradient.
    package func crossEntropy(
        scores: [Double], targets: [Int], batch: Int, count: Int, noiseSeed: UInt64
    ) throws -> (value: Double, gradient: [Double]) {
        let relaxed = try forward(scores, batch: batch, count: count, noiseSeed: noiseSeed)
        let rows = Double(batch * count)
        if op == .stochasticNeuralSort {
            let loss = try relaxed.crossEntropy(targets: repeated(targets, width: count))
            let scale = 1 / (rows * Double(samples))
            return (loss.value * scale, folded(loss.gradient, width: count).map { $0 * scale })
        }
        let loss = try relaxed.crossEntropy(targets: targets)
        return (loss.value / rows, loss.gradient.map { $0 / rows })
    }

    /// The paper's kNN loss, `-(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]`
    /// (with samples, the mean over them too), and its gradient.
    package func nearestNeighborLoss(
        scores: [Double], matches: [Double], k: Int, batch: Int, count: Int, noiseSeed: UInt64
    ) throws -> (value: Double, gradient: [Double]) {
        let relaxed = try forward(scores, batch: batch, count: count, noiseSeed: noiseSeed)
        if op == .stochasticNeuralSort {
            // A mean over the B S k rows already: the sum of the samples' gradients is the mean's.
            let loss = try relaxed.nearestNeighborLoss(matches: repeated(matches, width: count), k: k)
            return (loss.value, folded(loss.gradient, width: count))
        }
        let loss = try relaxed.nearestNeighborLoss(matches: matches, k: k)
        return (loss.value, loss.gradient)
    }

    /// The deterministic operator's relaxed quantile row `(P v)[b, round(level (n - 1))]`
    /// of `batch x count` values, forward only (the prediction at evaluation:
    /// the stochastic operators evaluate without noise).
    package func quantileRow(scores: [Double], values: [Double], level: Double, batch: Int, count: Int) throws -> [Double] {
        let deterministic = Relaxation(op == .stochasticNeuralSort ? .neuralSort : op == .stochasticSoftSort ? .softSort : op,
                                       temperature: temperature, samples: 1)
        return try deterministic.forward(scores, batch: batch, count: count, noiseSeed: 0).quantiles([level], of: values).values
    }

    /// The relaxed quantile row `(P v)[b, round(level (n - 1))]` of per-element
    /// values `v`, one per row and sample, and the loss `mean (row - target)^2`
    /// over the rows (and samples) with its gradients to the scores and to `v`.
    package func quantileLoss(
        scores: [Double], values: [Double], targets: [Double], level: Double, batch: Int, count: Int, noiseSeed: UInt64
    ) throws -> (value: Double, scores: [Double], values: [Double]) {
        let relaxed = try forward(scores, batch: batch, count: count, noiseSeed: noiseSeed)
        let product = try relaxed.quantiles([level], of: repeated(values, width: count))
        // product.values has one entry per row and sample: row b, sample m at b * samples + m.
        let rows = Double(product.values.count)
        var loss = 0.0
        var upstream = [Double](repeating: 0, count: product.values.count)
        for (r, y) in product.values.enumerated() {
            let error = y - targets[r / samples]
            loss += error * error / rows
            upstream[r] = 2 * error / rows
        }
        let gradient = try product.backward(upstream)
        // The library folds SoftSort's perturbed score rows; the values' rows (and NeuralSort's scores) are folded here.
        let scoreGradient = op == .stochasticNeuralSort ? folded(gradient.scores, width: count) : gradient.scores
        return (loss, scoreGradient, folded(gradient.values, width: count))
    }
}
