import Foundation

/// The settings of the sorting task.
package struct SortSettings: TemperatureSettings {
    package var schedule = Schedule(steps: 2000, batch: 20)
    /// Temperatures tried on validation (each with every learning rate).
    package var temperatures: [Double]?
    /// Chosen on validation by the selection run of Sources/paper-tasks/README.md.
    package static let chosenTemperatures: [RelaxedOperator: Double] = [
        .softSort: 1, .stochasticSoftSort: 1, .neuralSort: 1, .stochasticNeuralSort: 1,
    ]
    package var learningRates: [Double] = [0.01]
    /// Gumbel samples per sequence for the stochastic operators.
    package var samples = 5
    /// The width of the scorer's per-digit layers.
    package var width = 64
    package var validationSequences = 1000
    package var testSequences = 2000

    package init() {}
}

/// The paper's sorting task (section 5.2, appendix A.1) on optdigits: learn a
/// scorer from permutations alone, so that the argsort of its scores sorts
/// sequences of large numbers descending.
package struct SortTask: Sendable {
    package var data: TaskData
    package var settings: SortSettings

    package init(data: TaskData, settings: SortSettings) {
        self.data = data
        self.settings = settings
    }

    /// Trains a fresh scorer per (temperature, learning rate), keeps each
    /// one's best checkpoint on the validation sequences (exact-permutation
    /// accuracy), and scores the test sequences once, with the best of them.
    package func run(_ op: RelaxedOperator, n: Int, seed: UInt64, progress: ProgressHandler) throws -> TaskResult {
        let start = DispatchTime.now()
        let validationSet = data.sequences(.validation, count: settings.validationSequences, length: n)
        var grid: [GridPoint] = []
        var bestParameters: [Float] = []
        var bestCurve: [CurvePoint] = []
        var scorer: Network?
        for temperature in settings.temperatures(for: op) {
            for learningRate in settings.learningRates {
                // The same initial weights and batches for every operator and configuration of a (seed, n).
                var initial = SplitMix(seed: streamSeed(seed, UInt64(n), 1))
                let network = Network.slots(width: settings.width, generator: &initial)
                var batches = SplitMix(seed: streamSeed(seed, UInt64(n), 2))
                let relaxation = Relaxation(op, temperature: temperature, samples: settings.samples)
                let checkpoint = try train(
                    [network], schedule: settings.schedule, learningRate: learningRate, higherIsBetter: true,
                    step: { step in
                        let numbers = NumberBatch(
                            batch: settings.schedule.batch, count: n, pool: data.split.train, digits: data.digits,
                            generator: &batches)
                        let scores = network.forward(numbers.images, count: numbers.batch * n)
                        let loss = try relaxation.crossEntropy(
                            scores: scores.map(Double.init), targets: numbers.targets, batch: numbers.batch, count: n,
                            noiseSeed: streamSeed(seed, UInt64(n), 3, UInt64(step)))
                        network.backward(loss.gradient.map(Float.init))
                        return loss.value
                    },
                    validate: { Self.accuracy(network, validationSet).exact }, progress: progress)
                let point = GridPoint(
                    temperature: temperature, learningRate: learningRate, validation: checkpoint.validation,
                    step: checkpoint.step)
                if grid.isEmpty || point.validation > grid[bestIndex(grid.map(\.validation), higherIsBetter: true)].validation {
                    bestParameters = checkpoint.parameters[0]
                    bestCurve = checkpoint.curve
                    scorer = network
                }
                grid.append(point)
            }
        }
        guard let scorer else { throw TaskError("empty temperature or learning-rate grid") }
        scorer.parameters = bestParameters
        let test = Self.accuracy(scorer, data.sequences(.test, count: settings.testSequences, length: n))
        var result = TaskResult(
            task: "sort", seed: seed, selected: grid[bestIndex(grid.map(\.validation), higherIsBetter: true)], grid: grid,
            steps: settings.schedule.steps, seconds: seconds(since: start), curve: bestCurve)
        result.operator = op.rawValue
        result.n = n
        result.exactAccuracy = test.exact
        result.elementAccuracy = test.element
        return result
    }

    /// The exact-permutation and per-element accuracies of the scorer's
    /// argsort on `set`. A position counts as right when the predicted number
    /// there has the true sorted value (equal numbers are right in either order).
    package static func accuracy(_ scorer: Network, _ set: NumberBatch) -> (exact: Double, element: Double) {
        let n = set.count
        let scores = scorer.outputs(set.images, count: set.batch * n)
        var exact = 0, elements = 0
        for b in 0..<set.batch {
            let order = descendingOrder(scores[b * n ..< (b + 1) * n])
            var right = 0
            for i in 0..<n where set.values[b * n + order[i]] == set.values[b * n + set.targets[b * n + i]] { right += 1 }
            elements += right
            if right == n { exact += 1 }
        }
        return (Double(exact) / Double(set.batch), Double(elements) / Double(set.batch * n))
    }
}

/// The positions of `values` from the largest to the smallest, ties by position.
package func descendingOrder(_ values: ArraySlice<Float>) -> [Int] {
    let base = values.startIndex
    return (0..<values.count).sorted {
        values[base + $0] > values[base + $1] || (values[base + $0] == values[base + $1] && $0 < $1)
    }
}

/// Seconds since `start`.
package func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
