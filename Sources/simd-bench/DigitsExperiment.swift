import _Differentiation
import Foundation
import SoftSortKit
import SoftSortKitDifferentiable

/// The relaxed sorts `simd-bench digits` trains with, under the names its JSON uses.
enum DigitsOperator: String, CaseIterable, Sendable {
    /// Deterministic SoftSort, `p = 1` (the paper's choice for this task),
    /// through the exact `O(n log n)` cross-entropy (`DifferentiableSort`, path `.exact`, `Float`).
    case softSort = "softsort"
    /// Stochastic SoftSort: `p = 1` SoftSort of Gumbel-perturbed scores, the
    /// loss averaged over the samples (`DifferentiableSort` of a SoftSort with a
    /// `GumbelPerturbation`, path `.dense`, `Double`).
    case stochasticSoftSort = "softsort-stochastic"
    /// NeuralSort (`DifferentiableSort`, path `.dense`, `Double`).
    case neuralSort = "neuralsort"
}

/// The settings every run of one `simd-bench digits` call shares.
struct DigitsSettings: Codable, Sendable {
    var batch = 20
    var learningRate = 0.01
    var temperature = 1.0
    var samples = 5
    var architecture = DigitsScorer.Architecture.slots.rawValue
    var seed: UInt64 = 1
    var splitSeed: UInt64 = 0x0D16_1757
    var testFraction = 0.25
    /// Training digits move by up to this many pixels (augmentation); test digits never.
    var shift = 0
    /// Decoupled weight decay (AdamW), 0 for plain Adam.
    var weightDecay = 0.0
    /// The width of the scorer's per-digit layers.
    var width = 64
    var testSequences = 2000
    var curvePoints = 20
    var curveSequences = 250
    var trainImages = 0
    var testImages = 0
}

/// One point of a learning curve.
struct DigitsCurvePoint: Codable, Sendable {
    var step: Int
    /// The training loss per row (`L / (B n)`), averaged since the previous point.
    var trainLoss: Double
    /// Exact-permutation accuracy on the first `curveSequences` test sequences.
    var testExactAccuracy: Double
}

/// What one (operator, n) run measured on the test split.
struct DigitsResult: Codable, Sendable {
    var `operator`: String
    var n: Int
    var exactAccuracy: Double
    var elementAccuracy: Double
    /// Wall time of the run: training and the test evaluation.
    var seconds: Double
    var steps: Int
    var seed: UInt64
    var curve: [DigitsCurvePoint]
}

/// The paper's sorting task (section 5.2, appendix A.1) on optdigits: learn a
/// scorer from permutations alone, so that the argsort of its scores sorts
/// large numbers descending.
struct DigitsExperiment {
    var settings: DigitsSettings
    var digits: DigitImages
    var train: [Int]
    var test: [Int]

    /// Trains a fresh scorer for `steps` Adam steps (cosine-decayed learning
    /// rate) on fresh batches of train numbers, then scores the test set.
    func run(
        _ op: DigitsOperator, count n: Int, steps: Int, progress: (Int, Double) -> Void
    ) throws -> DigitsResult {
        let start = DispatchTime.now()
        let runSeed = settings.seed &* 0x9E37_79B9 &+ UInt64(n) &* 0x1000_0001
        var initGenerator = SplitMix(seed: runSeed)
        let scorer = DigitsScorer(
            architecture: DigitsScorer.Architecture(rawValue: settings.architecture) ?? .slots, width: settings.width,
            generator: &initGenerator)
        var batches = SplitMix(seed: runSeed ^ 0xBA7C_4E5)
        // The same test sequences for every operator and seed (they depend on n only).
        var testGenerator = SplitMix(seed: settings.splitSeed &+ UInt64(n))
        let testSet = NumberBatch(
            batch: settings.testSequences, count: n, pool: test, digits: digits, generator: &testGenerator)
        let loss = try DigitsLoss(op, batch: settings.batch, count: n, temperature: settings.temperature, samples: settings.samples)
        var curve: [DigitsCurvePoint] = []
        var lossSum = 0.0, lossSteps = 0
        let every = max(1, steps / max(1, settings.curvePoints))
        for step in 1...steps {
            let numbers = NumberBatch(
                batch: settings.batch, count: n, pool: train, digits: digits, shift: settings.shift, generator: &batches)
            let scores = scorer.scores(numbers.images, count: settings.batch * n)
            let (value, gradient) = loss.valueWithGradient(scores, targets: numbers.targets, noiseSeed: runSeed &+ UInt64(step))
            scorer.backward(gradient)
            let rate = settings.learningRate * 0.5 * (1 + cos(Double.pi * Double(step - 1) / Double(steps)))
            scorer.adamStep(learningRate: rate, weightDecay: settings.weightDecay)
            lossSum += value
            lossSteps += 1
            if step % every == 0 || step == steps {
                let accuracy = evaluate(scorer, testSet, sequences: min(settings.curveSequences, settings.testSequences))
                curve.append(DigitsCurvePoint(step: step, trainLoss: lossSum / Double(lossSteps), testExactAccuracy: accuracy.exact))
                lossSum = 0
                lossSteps = 0
            }
            progress(step, value)
        }
        let accuracy = evaluate(scorer, testSet, sequences: settings.testSequences)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return DigitsResult(
            operator: op.rawValue, n: n, exactAccuracy: accuracy.exact, elementAccuracy: accuracy.element,
            seconds: seconds, steps: steps, seed: settings.seed, curve: curve)
    }

    /// The exact-permutation and per-element accuracies of the scorer's
    /// argsort on the first `sequences` sequences of `set`. A position counts
    /// as right when the predicted number there has the true sorted value
    /// (so equal numbers in either order are right).
    func evaluate(_ scorer: DigitsScorer, _ set: NumberBatch, sequences: Int) -> (exact: Double, element: Double) {
        let n = set.count, chunk = 200
        var exact = 0, elements = 0
        var first = 0
        while first < sequences {
            let rows = min(chunk, sequences - first)
            let images = Array(set.images[first * n * 256 ..< (first + rows) * n * 256])
            let scores = scorer.scores(images, count: rows * n)
            for b in 0..<rows {
                let s = scores[b * n ..< (b + 1) * n]
                let order = (0..<n).sorted { s[s.startIndex + $0] > s[s.startIndex + $1] || (s[s.startIndex + $0] == s[s.startIndex + $1] && $0 < $1) }
                let base = (first + b) * n
                var right = 0
                for i in 0..<n where set.values[base + order[i]] == set.values[base + set.targets[base + i]] { right += 1 }
                elements += right
                if right == n { exact += 1 }
            }
            first += rows
        }
        return (Double(exact) / Double(sequences), Double(elements) / Double(sequences * n))
    }
}

/// The per-row loss `L / (B n)` of one operator and its gradient with
/// respect to the `Float` scores, through SoftSortKitDifferentiable's
/// registered derivatives (`valueWithGradient(at:of:)`).
struct DigitsLoss {
    let op: DigitsOperator
    let batch: Int
    let count: Int
    let temperature: Double
    let samples: Int
    private let exact: DifferentiableSort<SoftSort>
    private let neural: DifferentiableSort<NeuralSort>

    init(_ op: DigitsOperator, batch: Int, count: Int, temperature: Double, samples: Int) throws {
        self.op = op
        self.batch = batch
        self.count = count
        self.temperature = temperature
        self.samples = samples
        exact = try DifferentiableSort(
            SoftSort(temperature: temperature, power: 1, threads: 1), batch: batch, count: count, path: .exact)
        neural = try DifferentiableSort(NeuralSort(temperature: temperature, threads: 1), batch: batch, count: count, path: .dense)
        _ = try Self.stochastic(temperature: temperature, samples: samples, seed: 0, batch: batch, count: count)
    }

    /// Stochastic SoftSort with `samples` Gumbel samples per row from `seed`, on the dense path.
    private static func stochastic(
        temperature: Double, samples: Int, seed: UInt64, batch: Int, count: Int
    ) throws(SoftSortError) -> DifferentiableSort<SoftSort> {
        let perturbation = GumbelPerturbation(samplesPerRow: samples, seed: seed)
        return try DifferentiableSort(
            SoftSort(temperature: temperature, power: 1, threads: 1, perturbation: perturbation), batch: batch,
            count: count, path: .dense)
    }

    func valueWithGradient(_ scores: [Float], targets: [Int], noiseSeed: UInt64) -> (Double, [Float]) {
        let rows = Double(batch * count)
        switch op {
        case .softSort:
            let exact = self.exact
            let (value, gradient) = _Differentiation.valueWithGradient(at: scores) { s in
                exact.crossEntropy(s, targets: targets) / Float(rows)
            }
            return (Double(value), gradient.base)
        case .neuralSort:
            let neural = self.neural
            let (value, gradient) = _Differentiation.valueWithGradient(at: scores.map(Double.init)) { s in
                neural.crossEntropy(s, targets: targets) / rows
            }
            return (value, gradient.base.map(Float.init))
        case .stochasticSoftSort:
            // A fresh noise seed every step; parameters and shape were checked in `init`.
            let stochastic = try! Self.stochastic(
                temperature: temperature, samples: samples, seed: noiseSeed, batch: batch, count: count)
            let (value, gradient) = _Differentiation.valueWithGradient(at: scores.map(Double.init)) { s in
                stochastic.crossEntropy(s, targets: targets) / rows
            }
            return (value, gradient.base.map(Float.init))
        }
    }
}
