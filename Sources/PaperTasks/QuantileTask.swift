import Foundation

/// The settings of the quantile-regression task.
package struct QuantileSettings: TemperatureSettings {
    package var schedule = Schedule(steps: 1500, batch: 20)
    package var temperatures: [Double]?
    /// Chosen on validation by the selection run of Sources/paper-tasks/README.md.
    package static let chosenTemperatures: [RelaxedOperator: Double] = [
        .softSort: 1024, .stochasticSoftSort: 1024, .neuralSort: 16, .stochasticNeuralSort: 16,
    ]
    package var learningRates: [Double] = [0.003]
    package var samples = 5
    package var width = 64
    package var validationSequences = 1000
    package var testSequences = 2000

    package init() {}
}

/// The paper's quantile regression (section 5.3, appendix A.2): predict the
/// median of a sequence of n large numbers, with the median value as the
/// only supervision.
///
/// A scorer `h` and a value regressor `g` (two slot networks, the same
/// architecture, their own weights) see each number; the relaxed median row
/// of `P(h(x)) g(x)` (`RelaxedPermutation.quantiles([0.5], of:)`) is the
/// prediction during training, the loss its squared error against the true
/// median / 10^4. At evaluation the prediction is the same relaxed median
/// row, of the deterministic operator (the stochastic ones without noise):
/// the model is trained for that prediction, and at a temperature where `P`
/// is soft, `g` of the hard median number alone is not calibrated. The `regressor` baseline is one slot network
/// over the whole sequence (all `4 n` digit windows), trained on the median directly.
package struct QuantileTask: Sendable {
    package var data: TaskData
    package var settings: QuantileSettings

    package init(data: TaskData, settings: QuantileSettings) {
        self.data = data
        self.settings = settings
    }

    /// One model under training: the relaxed sort's two networks, or the plain regressor.
    private enum Model {
        case relaxed(scorer: Network, regressor: Network, Relaxation)
        case plain(Network)

        var networks: [Network] {
            switch self {
            case .relaxed(let scorer, let regressor, _): [scorer, regressor]
            case .plain(let network): [network]
            }
        }
    }

    /// Trains through `op` (or the plain regressor when `op` is nil) per
    /// configuration, keeps the best checkpoint on validation MSE, and
    /// measures test MSE and Spearman's rho once, with the best configuration.
    package func run(_ op: RelaxedOperator?, n: Int, seed: UInt64, progress: ProgressHandler) throws -> TaskResult {
        guard n % 2 == 1 else { throw TaskError("the median of n = \(n) numbers is not one of them: n must be odd") }
        let start = DispatchTime.now()
        let validationSet = data.sequences(.validation, count: settings.validationSequences, length: n)
        var grid: [GridPoint] = []
        var best: (parameters: [[Float]], curve: [CurvePoint], model: Model)?
        let temperatures: [Double?] = op.map { settings.temperatures(for: $0).map(Optional.some) } ?? [nil]
        for temperature in temperatures {
            for learningRate in settings.learningRates {
                var initial = SplitMix(seed: streamSeed(seed, UInt64(n), 11))
                let model: Model
                if let op, let temperature {
                    let scorer = Network.slots(width: settings.width, generator: &initial)
                    let regressor = Network.slots(width: settings.width, generator: &initial)
                    model = .relaxed(scorer: scorer, regressor: regressor, Relaxation(op, temperature: temperature, samples: settings.samples))
                } else {
                    model = .plain(Network.slots(numbers: n, width: settings.width, generator: &initial))
                }
                var batches = SplitMix(seed: streamSeed(seed, UInt64(n), 12))
                let checkpoint = try train(
                    model.networks, schedule: settings.schedule, learningRate: learningRate, higherIsBetter: false,
                    step: { step in
                        let numbers = NumberBatch(
                            batch: settings.schedule.batch, count: n, pool: data.split.train, digits: data.digits,
                            generator: &batches)
                        return try Self.step(model, numbers, noiseSeed: streamSeed(seed, UInt64(n), 13, UInt64(step)))
                    },
                    validate: { try Self.evaluate(model, validationSet).mse }, progress: progress)
                let point = GridPoint(
                    temperature: temperature, learningRate: learningRate, validation: checkpoint.validation, step: checkpoint.step)
                if grid.isEmpty || point.validation < grid[bestIndex(grid.map(\.validation), higherIsBetter: false)].validation {
                    best = (checkpoint.parameters, checkpoint.curve, model)
                }
                grid.append(point)
            }
        }
        guard let best else { throw TaskError("empty temperature or learning-rate grid") }
        for (network, parameters) in zip(best.model.networks, best.parameters) { network.parameters = parameters }
        let test = try Self.evaluate(best.model, data.sequences(.test, count: settings.testSequences, length: n))
        var result = TaskResult(
            task: "quantile", seed: seed, selected: grid[bestIndex(grid.map(\.validation), higherIsBetter: false)], grid: grid,
            steps: settings.schedule.steps, seconds: seconds(since: start), curve: best.curve)
        if let op { result.operator = op.rawValue } else { result.method = "regressor" }
        result.n = n
        result.testMSE = test.mse
        result.spearman = test.spearman
        return result
    }

    /// The true medians / 10^4 of every sequence.
    static func medians(_ numbers: NumberBatch) -> [Double] {
        let n = numbers.count
        return (0..<numbers.batch).map { b in
            Double(numbers.values[b * n ..< (b + 1) * n].sorted()[n / 2]) / 10_000
        }
    }

    /// One training step's loss; sets the networks' gradients.
    private static func step(_ model: Model, _ numbers: NumberBatch, noiseSeed: UInt64) throws -> Double {
        let n = numbers.count, batch = numbers.batch
        let targets = medians(numbers)
        switch model {
        case .relaxed(let scorer, let regressor, let relaxation):
            let scores = scorer.forward(numbers.images, count: batch * n).map(Double.init)
            let values = regressor.forward(numbers.images, count: batch * n).map(Double.init)
            let loss = try relaxation.quantileLoss(
                scores: scores, values: values, targets: targets, level: 0.5, batch: batch, count: n, noiseSeed: noiseSeed)
            scorer.backward(loss.scores.map(Float.init))
            regressor.backward(loss.values.map(Float.init))
            return loss.value
        case .plain(let network):
            let predictions = network.forward(numbers.images, count: batch)
            var loss = 0.0
            var gradient = [Float](repeating: 0, count: batch)
            for b in 0..<batch {
                let error = Double(predictions[b]) - targets[b]
                loss += error * error / Double(batch)
                gradient[b] = Float(2 * error / Double(batch))
            }
            network.backward(gradient)
            return loss
        }
    }

    /// The hard predictions' mean squared error (values / 10^4) and
    /// Spearman's rank correlation between predicted and true medians.
    private static func evaluate(_ model: Model, _ set: NumberBatch) throws -> (mse: Double, spearman: Double) {
        let n = set.count
        let truth = medians(set)
        var predictions: [Double] = []
        switch model {
        case .relaxed(let scorer, let regressor, let relaxation):
            let scores = scorer.outputs(set.images, count: set.batch * n).map(Double.init)
            let values = regressor.outputs(set.images, count: set.batch * n).map(Double.init)
            predictions = try relaxation.quantileRow(scores: scores, values: values, level: 0.5, batch: set.batch, count: n)
        case .plain(let network):
            predictions = network.outputs(set.images, count: set.batch, chunk: max(1, 256 / n)).map(Double.init)
        }
        var mse = 0.0
        for (p, t) in zip(predictions, truth) { mse += (p - t) * (p - t) / Double(set.batch) }
        return (mse, spearmanCorrelation(predictions, truth))
    }
}

/// Spearman's rank correlation: Pearson's correlation of the average ranks
/// (ties share their mean rank); 0 when either side is constant.
package func spearmanCorrelation(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    let ra = averageRanks(a), rb = averageRanks(b)
    let count = Double(a.count)
    let ma = ra.reduce(0, +) / count, mb = rb.reduce(0, +) / count
    var covariance = 0.0, va = 0.0, vb = 0.0
    for (x, y) in zip(ra, rb) {
        covariance += (x - ma) * (y - mb)
        va += (x - ma) * (x - ma)
        vb += (y - mb) * (y - mb)
    }
    return va > 0 && vb > 0 ? covariance / (va * vb).squareRoot() : 0
}

/// Ranks from 1, ties at their mean rank.
package func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
        var end = start + 1
        while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
        let rank = Double(start + end + 1) / 2  // mean of start + 1 ... end
        for position in start..<end { ranks[order[position]] = rank }
        start = end
    }
    return ranks
}
