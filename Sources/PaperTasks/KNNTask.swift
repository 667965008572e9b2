import Foundation

/// The settings of the differentiable-kNN task and its baselines.
package struct KNNSettings: TemperatureSettings {
    /// `batch` is the number of queries per step; each step draws them and
    /// `candidates` other training images (the paper: one episode of 100 candidates).
    package var schedule = Schedule(steps: 1000, batch: 50)
    package var candidates = 100
    package var temperatures: [Double]?
    /// Chosen on validation by the selection run of Sources/paper-tasks/README.md.
    package static let chosenTemperatures: [RelaxedOperator: Double] = [
        .softSort: 16, .stochasticSoftSort: 16, .neuralSort: 16, .stochasticNeuralSort: 16,
    ]
    package var learningRates: [Double] = [0.003]
    /// Neighbours tried on validation: the kNN loss's `k` and the vote's, the same.
    package var ks: [Int]?
    /// The neighbours per operator chosen on validation (with `chosenTemperatures`).
    package static let chosenK: [RelaxedOperator: Int] = [
        .softSort: 5, .stochasticSoftSort: 5, .neuralSort: 1, .stochasticNeuralSort: 1,
    ]
    /// The baselines' neighbours and PCA sizes tried on validation.
    package var baselineKs: [Int] = [1, 3, 5, 9]
    package var components: [Int] = [8, 16, 32]
    package var samples = 5
    /// The embedding perceptron's hidden widths and output dimension.
    package var hidden: [Int] = [128, 64]
    package var embedding = 32
    /// The plain classifier's step budget and learning rates (batch `schedule.batch`).
    package var classifierSteps = 2000
    package var classifierLearningRates: [Double] = [0.003]
    /// Augmentation of the training images of the learnt models (embedding
    /// and classifier): each moves by up to this many pixels per direction
    /// (zeros shifted in); evaluation images never move.
    package var shift = 0
    /// The embedding keeps the pixels beside the learnt features (a skip
    /// connection): `e(x) = [x, f(x)]`, so kNN on it starts near kNN on
    /// pixels and the kNN loss trains `f` to correct it. Off by default: it
    /// did not raise validation accuracy in the selection run.
    package var pixelSkip = false

    package init() {}
}

/// The paper's differentiable kNN (section 5.4, appendix A.3) on optdigits
/// images: an embedding learnt through the kNN loss of the relaxed sort of
/// negative squared distances, then plain kNN on the embeddings (candidates:
/// the training side); beside kNN on pixels, on PCA features, and a plain classifier.
package struct KNNTask: Sendable {
    package var data: TaskData
    package var settings: KNNSettings

    package init(data: TaskData, settings: KNNSettings) {
        self.data = data
        self.settings = settings
    }

    static func chosenK(_ op: RelaxedOperator) -> Int { KNNSettings.chosenK[op] ?? 1 }

    private func pixels(_ images: [Int]) -> [Float] {
        images.flatMap { data.digits.pixels[$0 * 64 ..< ($0 + 1) * 64] }
    }

    private func labels(_ images: [Int]) -> [Int] { images.map { data.digits.labels[$0] } }

    /// The pixels of training images, each moved by a random whole number of
    /// pixels in `-shift ... shift` per direction.
    private func augmented(_ images: [Int], generator: inout SplitMix) -> [Float] {
        let shift = settings.shift
        guard shift > 0 else { return pixels(images) }
        var result = [Float](repeating: 0, count: images.count * 64)
        for (row, image) in images.enumerated() {
            let dr = generator.index(2 * shift + 1) - shift, dc = generator.index(2 * shift + 1) - shift
            for r in 0..<8 where (0..<8).contains(r - dr) {
                for c in 0..<8 where (0..<8).contains(c - dc) {
                    result[row * 64 + r * 8 + c] = data.digits.pixels[image * 64 + (r - dr) * 8 + (c - dc)]
                }
            }
        }
        return result
    }

    /// The embedding of `count` images' pixels: `f(x)`, or `[x, f(x)]` with `pixelSkip`.
    private func embedded(_ network: Network, _ input: [Float], count: Int) -> [Float] {
        let features = network.outputs(input, count: count)
        guard settings.pixelSkip else { return features }
        let d = network.outputWidth
        var result: [Float] = []
        result.reserveCapacity(count * (64 + d))
        for row in 0..<count {
            result += input[row * 64 ..< (row + 1) * 64]
            result += features[row * d ..< (row + 1) * d]
        }
        return result
    }

    /// kNN accuracy of `side`'s images against the training side, in `network`'s embedding.
    private func embeddedAccuracy(_ network: Network, side: [Int], k: Int) -> Double {
        let candidates = embedded(network, pixels(data.split.train), count: data.split.train.count)
        let queries = embedded(network, pixels(side), count: side.count)
        return nearestNeighborAccuracy(
            queries: queries, queryLabels: labels(side), candidates: candidates, candidateLabels: labels(data.split.train),
            dimension: network.outputWidth + (settings.pixelSkip ? 64 : 0), k: k)
    }

    /// Trains an embedding through `op` per (temperature, learning rate, k),
    /// keeps the best checkpoint on validation kNN accuracy, then classifies
    /// the test images once with the best.
    package func run(_ op: RelaxedOperator, seed: UInt64, progress: ProgressHandler) throws -> TaskResult {
        let start = DispatchTime.now()
        let queries = settings.schedule.batch, n = settings.candidates
        guard queries + n <= data.split.train.count else {
            throw TaskError("\(queries) queries + \(n) candidates exceed the \(data.split.train.count) training images")
        }
        var grid: [GridPoint] = []
        var best: (parameters: [Float], curve: [CurvePoint], network: Network)?
        for k in settings.ks ?? [Self.chosenK(op)] {
            guard k >= 1 && k <= n else { throw TaskError("k = \(k) must be in 1 ... \(n) (the candidates)") }
            for temperature in settings.temperatures(for: op) {
                for learningRate in settings.learningRates {
                    var initial = SplitMix(seed: streamSeed(seed, 21))
                    let network = Network.perceptron(
                        inputs: 64, hidden: settings.hidden, outputs: settings.embedding, generator: &initial)
                    var episodes = SplitMix(seed: streamSeed(seed, 22))
                    let relaxation = Relaxation(op, temperature: temperature, samples: settings.samples)
                    let checkpoint = try train(
                        [network], schedule: settings.schedule, learningRate: learningRate, higherIsBetter: true,
                        step: { step in
                            try episodeStep(
                                network, relaxation, k: k, generator: &episodes,
                                noiseSeed: streamSeed(seed, 23, UInt64(step)))
                        },
                        validate: { embeddedAccuracy(network, side: data.split.validation, k: k) }, progress: progress)
                    let point = GridPoint(
                        temperature: temperature, learningRate: learningRate, k: k, validation: checkpoint.validation,
                        step: checkpoint.step)
                    if grid.isEmpty || point.validation > grid[bestIndex(grid.map(\.validation), higherIsBetter: true)].validation {
                        best = (checkpoint.parameters[0], checkpoint.curve, network)
                    }
                    grid.append(point)
                }
            }
        }
        guard let best else { throw TaskError("empty k, temperature or learning-rate grid") }
        best.network.parameters = best.parameters
        let selected = grid[bestIndex(grid.map(\.validation), higherIsBetter: true)]
        var result = TaskResult(
            task: "knn", seed: seed, selected: selected, grid: grid, steps: settings.schedule.steps,
            seconds: seconds(since: start), curve: best.curve)
        result.operator = op.rawValue
        result.n = n
        result.k = selected.k
        result.testAccuracy = embeddedAccuracy(best.network, side: data.split.test, k: selected.k ?? 1)
        result.seconds = seconds(since: start)
        return result
    }

    /// One episode batch: `queries` query images and `candidates` other
    /// training images, scores `-|e(q) - e(c)|^2`, the relaxed kNN loss, its
    /// gradient through the distances into the embedding network.
    private func episodeStep(
        _ network: Network, _ relaxation: Relaxation, k: Int, generator: inout SplitMix, noiseSeed: UInt64
    ) throws -> Double {
        let queries = settings.schedule.batch, n = settings.candidates
        // A partial shuffle: the first queries + n of the training side, distinct.
        var pool = data.split.train
        for i in 0..<queries + n { pool.swapAt(i, i + generator.index(pool.count - i)) }
        let images = Array(pool[..<(queries + n)])
        let d = network.outputWidth
        let input = augmented(images, generator: &generator)
        let embeddings = network.forward(input, count: images.count).map(Double.init)
        var scores = [Double](repeating: 0, count: queries * n)
        var matches = [Double](repeating: 0, count: queries * n)
        for q in 0..<queries {
            for j in 0..<n {
                var total = 0.0
                for e in 0..<d {
                    let difference = embeddings[q * d + e] - embeddings[(queries + j) * d + e]
                    total += difference * difference
                }
                if settings.pixelSkip {
                    // The pixels' part of the distance: a constant of the network's parameters.
                    for e in 0..<64 {
                        let difference = Double(input[q * 64 + e] - input[(queries + j) * 64 + e])
                        total += difference * difference
                    }
                }
                scores[q * n + j] = -total
                matches[q * n + j] = data.digits.labels[images[q]] == data.digits.labels[images[queries + j]] ? 1 : 0
            }
        }
        let loss = try relaxation.nearestNeighborLoss(
            scores: scores, matches: matches, k: k, batch: queries, count: n, noiseSeed: noiseSeed)
        // s = -|e_q - e_j|^2: ds/de_q = -2 (e_q - e_j), ds/de_j = 2 (e_q - e_j).
        var upstream = [Float](repeating: 0, count: images.count * d)
        for q in 0..<queries {
            for j in 0..<n {
                let g = loss.gradient[q * n + j]
                if g == 0 { continue }
                for e in 0..<d {
                    let difference = embeddings[q * d + e] - embeddings[(queries + j) * d + e]
                    upstream[q * d + e] -= Float(2 * g * difference)
                    upstream[(queries + j) * d + e] += Float(2 * g * difference)
                }
            }
        }
        network.backward(upstream)
        return loss.value
    }

    /// kNN on fixed features: `pixels` or `pca` (components and k chosen on validation).
    package func fixedFeatureBaseline(method: String, seed: UInt64) throws -> TaskResult {
        let start = DispatchTime.now()
        let train = pixels(data.split.train), validation = pixels(data.split.validation), test = pixels(data.split.test)
        let trainCount = data.split.train.count
        var grid: [GridPoint] = []
        var features: [Int?: (train: [Float], validation: [Float], test: [Float], dimension: Int)] = [:]
        switch method {
        case "pixels":
            features[nil] = (train, validation, test, 64)
        case "pca":
            for c in settings.components {
                guard c >= 1 && c <= 64 else { throw TaskError("--components \(c) must be in 1 ... 64") }
                let pca = PrincipalComponents(train, rows: trainCount, dimension: 64, components: c)
                features[c] = (
                    pca.project(train, rows: trainCount), pca.project(validation, rows: data.split.validation.count),
                    pca.project(test, rows: data.split.test.count), c
                )
            }
        default: throw TaskError("unknown fixed-feature method \(method)")
        }
        let sizes: [Int?] = method == "pca" ? settings.components.map(Optional.some) : [nil]
        for size in sizes {
            let f = features[size]!
            for k in settings.baselineKs {
                let accuracy = nearestNeighborAccuracy(
                    queries: f.validation, queryLabels: labels(data.split.validation), candidates: f.train,
                    candidateLabels: labels(data.split.train), dimension: f.dimension, k: k)
                grid.append(GridPoint(k: k, components: size, validation: accuracy))
            }
        }
        guard !grid.isEmpty else { throw TaskError("empty k or components grid") }
        let selected = grid[bestIndex(grid.map(\.validation), higherIsBetter: true)]
        let f = features[selected.components]!
        var result = TaskResult(task: "knn", seed: seed, selected: selected, grid: grid, steps: 0, seconds: 0, curve: [])
        result.method = method
        result.k = selected.k
        result.testAccuracy = nearestNeighborAccuracy(
            queries: f.test, queryLabels: labels(data.split.test), candidates: f.train, candidateLabels: labels(data.split.train),
            dimension: f.dimension, k: selected.k ?? 1)
        result.seconds = seconds(since: start)
        return result
    }

    /// The plain classifier: the embedding's perceptron with a 10-way
    /// softmax output, cross-entropy, steps and learning rate chosen on validation accuracy.
    package func classifier(seed: UInt64, progress: ProgressHandler) throws -> TaskResult {
        let start = DispatchTime.now()
        let batch = settings.schedule.batch
        let schedule = Schedule(steps: settings.classifierSteps, batch: batch, checkpoints: settings.schedule.checkpoints)
        var grid: [GridPoint] = []
        var best: (parameters: [Float], curve: [CurvePoint], network: Network)?
        let validationPixels = pixels(data.split.validation), validationLabels = labels(data.split.validation)
        for learningRate in settings.classifierLearningRates {
            var initial = SplitMix(seed: streamSeed(seed, 31))
            let network = Network.perceptron(inputs: 64, hidden: settings.hidden, outputs: 10, generator: &initial)
            var batches = SplitMix(seed: streamSeed(seed, 32))
            let checkpoint = train(
                [network], schedule: schedule, learningRate: learningRate, higherIsBetter: true,
                step: { _ in
                    let images = (0..<batch).map { _ in data.split.train[batches.index(data.split.train.count)] }
                    var logits = network.forward(augmented(images, generator: &batches), count: batch)
                    Network.softmax(&logits, width: 10)
                    var loss = 0.0
                    for (row, image) in images.enumerated() {
                        let label = data.digits.labels[image]
                        loss -= log(max(Double(logits[row * 10 + label]), 1e-30)) / Double(batch)
                        // d(mean cross-entropy)/dlogits = (softmax - onehot) / batch.
                        for c in 0..<10 { logits[row * 10 + c] = (logits[row * 10 + c] - (c == label ? 1 : 0)) / Float(batch) }
                    }
                    network.backward(logits)
                    return loss
                },
                validate: { Self.classifierAccuracy(network, validationPixels, validationLabels) }, progress: progress)
            let point = GridPoint(learningRate: learningRate, validation: checkpoint.validation, step: checkpoint.step)
            if grid.isEmpty || point.validation > grid[bestIndex(grid.map(\.validation), higherIsBetter: true)].validation {
                best = (checkpoint.parameters[0], checkpoint.curve, network)
            }
            grid.append(point)
        }
        guard let best else { throw TaskError("empty learning-rate grid") }
        best.network.parameters = best.parameters
        var result = TaskResult(
            task: "knn", seed: seed, selected: grid[bestIndex(grid.map(\.validation), higherIsBetter: true)], grid: grid,
            steps: schedule.steps, seconds: 0, curve: best.curve)
        result.method = "classifier"
        result.testAccuracy = Self.classifierAccuracy(best.network, pixels(data.split.test), labels(data.split.test))
        result.seconds = seconds(since: start)
        return result
    }

    private static func classifierAccuracy(_ network: Network, _ pixels: [Float], _ labels: [Int]) -> Double {
        let logits = network.outputs(pixels, count: labels.count)
        var right = 0
        for (row, label) in labels.enumerated() {
            let slice = logits[row * 10 ..< (row + 1) * 10]
            if slice.firstIndex(of: slice.max()!)! - row * 10 == label { right += 1 }
        }
        return Double(right) / Double(max(1, labels.count))
    }
}
