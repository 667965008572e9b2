import Foundation

/// One point of a learning curve.
package struct CurvePoint: Codable, Sendable {
    package var step: Int
    /// The training loss, averaged over the steps since the previous point.
    package var trainLoss: Double
    /// The task's validation metric at this step (never a test figure).
    package var validation: Double
}

/// One configuration tried on the validation side, and what it reached there.
package struct GridPoint: Codable, Sendable, Equatable {
    package var temperature: Double?
    package var learningRate: Double?
    /// kNN: the number of neighbours (training loss and vote); PCA: with `components`.
    package var k: Int?
    package var components: Int?
    /// The best validation metric over the checkpoints.
    package var validation: Double
    /// The checkpoint (Adam step) that reached it: the steps chosen on validation.
    package var step: Int?

    package init(
        temperature: Double? = nil, learningRate: Double? = nil, k: Int? = nil, components: Int? = nil,
        validation: Double = .nan, step: Int? = nil
    ) {
        self.temperature = temperature
        self.learningRate = learningRate
        self.k = k
        self.components = components
        self.validation = validation
        self.step = step
    }
}

/// The settings of one training run: the step budget and the schedule.
package struct Schedule: Codable, Sendable {
    /// Adam steps (the budget; the checkpoint kept is chosen on validation).
    package var steps: Int
    /// Sequences (sort, quantile) or queries (knn) per step.
    package var batch: Int
    /// Validation checkpoints over the run (learning-curve points).
    package var checkpoints: Int

    package init(steps: Int, batch: Int, checkpoints: Int = 20) {
        self.steps = steps
        self.batch = batch
        self.checkpoints = checkpoints
    }
}

/// What one training run kept: the best checkpoint on validation.
package struct Checkpoint {
    package var validation: Double
    package var step: Int
    /// Each network's parameters at that step.
    package var parameters: [[Float]]
    package var curve: [CurvePoint]
}

/// Reports training progress: (step, steps, loss).
package typealias ProgressHandler = (Int, Int, Double) -> Void

/// The training loop every task shares: `steps` Adam steps, the learning rate
/// cosine-decayed from `learningRate` to 0, `validate` at `checkpoints`
/// evenly spaced steps, and the networks' parameters at the best one kept
/// (early stopping: the step count is chosen on validation).
///
/// - Parameters:
///   - step: runs one step's forward and backward (setting every network's
///     `gradient`) and returns its loss; `train` then takes the Adam steps.
///   - validate: the validation metric of the networks as they are.
///   - higherIsBetter: accuracy (true) or an error (false).
package func train(
    _ networks: [Network], schedule: Schedule, learningRate: Double, higherIsBetter: Bool,
    step: (Int) throws -> Double, validate: () throws -> Double, progress: ProgressHandler
) rethrows -> Checkpoint {
    var best = Checkpoint(
        validation: higherIsBetter ? -.infinity : .infinity, step: 0, parameters: networks.map(\.parameters), curve: [])
    var lossSum = 0.0, lossSteps = 0
    let every = max(1, schedule.steps / max(1, schedule.checkpoints))
    for index in 1...schedule.steps {
        let loss = try step(index)
        let rate = learningRate * 0.5 * (1 + cos(Double.pi * Double(index - 1) / Double(schedule.steps)))
        for network in networks { network.adamStep(learningRate: rate) }
        lossSum += loss
        lossSteps += 1
        if index % every == 0 || index == schedule.steps {
            let metric = try validate()
            best.curve.append(CurvePoint(step: index, trainLoss: lossSum / Double(lossSteps), validation: metric))
            lossSum = 0
            lossSteps = 0
            if higherIsBetter ? metric > best.validation : metric < best.validation {
                best.validation = metric
                best.step = index
                best.parameters = networks.map(\.parameters)
            }
        }
        progress(index, schedule.steps, loss)
    }
    for (network, parameters) in zip(networks, best.parameters) { network.parameters = parameters }
    return best
}

/// The index of the best validation metric (the first on ties).
package func bestIndex(_ metrics: [Double], higherIsBetter: Bool) -> Int {
    var best = 0
    for (index, metric) in metrics.enumerated() where higherIsBetter ? metric > metrics[best] : metric < metrics[best] {
        best = index
    }
    return best
}

/// Mixes a run's seeds into one stream seed.
package func streamSeed(_ parts: UInt64...) -> UInt64 {
    var generator = SplitMix(seed: 0x5EED)
    var state: UInt64 = 0
    for part in parts {
        generator.state ^= part &* 0x9E37_79B9_7F4A_7C15
        state = generator.next()
    }
    return state
}

/// A task's settings with a temperature grid: given, or one temperature per
/// operator chosen on validation (the default run's).
package protocol TemperatureSettings: Codable, Sendable {
    /// Temperatures tried on validation; nil: the operator's `chosenTemperatures`.
    var temperatures: [Double]? { get }
    static var chosenTemperatures: [RelaxedOperator: Double] { get }
}

extension TemperatureSettings {
    /// The temperatures a run of `op` tries.
    package func temperatures(for op: RelaxedOperator) -> [Double] {
        temperatures ?? [Self.chosenTemperatures[op] ?? 1]
    }
}
