import Foundation
import PaperTasks
import Testing

/// The committed digits, found from this file's location.
private func committedData() throws -> TaskData {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return TaskData(digits: try DigitImages.load(path: root.appendingPathComponent("data/digits/optdigits-8x8.txt").path))
}

@Suite("Paper tasks: data and split")
struct PaperTasksSplitTests {
    @Test func splitIsByImageDisjointCoveringAndStratified() throws {
        let data = try committedData()
        let split = data.split
        let all = split.train + split.validation + split.test
        #expect(all.count == data.digits.count)
        #expect(Set(all).count == data.digits.count)
        for digit in 0...9 {
            let total = data.digits.labels.filter { $0 == digit }.count
            let test = split.test.filter { data.digits.labels[$0] == digit }.count
            let validation = split.validation.filter { data.digits.labels[$0] == digit }.count
            #expect(test == Int((Double(total) * 0.25).rounded()))
            #expect(validation == Int((Double(total - test) * 0.2).rounded()))
        }
    }

    @Test func testSideDoesNotDependOnTheValidationFraction() throws {
        let digits = try committedData().digits
        let with = digits.split(testFraction: 0.25, validationFraction: 0.2, seed: TaskData.defaultSplitSeed)
        let without = digits.split(testFraction: 0.25, validationFraction: 0, seed: TaskData.defaultSplitSeed)
        #expect(with.test == without.test)
        #expect(without.validation.isEmpty)
        #expect(Set(with.train + with.validation) == Set(without.train))
    }

    @Test func evaluationSequencesComeFromTheirSideOnly() throws {
        let data = try committedData()
        let validation = data.sequences(.validation, count: 50, length: 5)
        // Every number's four digit images: recompute the value from the label of the image each window shows.
        #expect(validation.values.count == 250)
        #expect(validation.values.allSatisfy { (0...9999).contains($0) })
        let again = data.sequences(.validation, count: 50, length: 5)
        #expect(again.images == validation.images)
        let test = data.sequences(.test, count: 50, length: 5)
        #expect(test.images != validation.images)
    }
}

@Suite("Paper tasks: gradients")
struct PaperTasksGradientTests {
    /// `dL/dparameters` of `L = <w, outputs>` against central differences in Float.
    private func checkNetwork(_ network: Network, input: [Float], count: Int, seed: UInt64) {
        var generator = SplitMix(seed: seed)
        let outputs = network.forward(input, count: count)
        let weights = outputs.map { _ in Float(generator.nextUnit() * 2 - 1) }
        network.backward(weights)
        let analytic = network.gradient
        func loss() -> Double {
            zip(network.forward(input, count: count), weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var checked = 0
        for _ in 0..<40 {
            let k = generator.index(network.parameters.count)
            let saved = network.parameters[k]
            let h: Float = 1e-2
            network.parameters[k] = saved + h
            let plus = loss()
            network.parameters[k] = saved - h
            let minus = loss()
            network.parameters[k] = saved
            let numeric = (plus - minus) / Double(2 * h)
            // Float forward passes: the difference quotient is good to ~1e-3 absolute here (kinks aside).
            if abs(numeric - Double(analytic[k])) > 2e-2 * max(1, abs(numeric)) {
                Issue.record("parameter \(k): analytic \(analytic[k]), numeric \(numeric)")
            }
            checked += 1
        }
        #expect(checked == 40)
    }

    @Test func slotNetworkBackwardMatchesFiniteDifferences() throws {
        let data = try committedData()
        var generator = SplitMix(seed: 3)
        let numbers = NumberBatch(batch: 2, count: 3, pool: data.split.train, digits: data.digits, generator: &generator)
        let single = Network.slots(width: 8, generator: &generator)
        checkNetwork(single, input: numbers.images, count: 6, seed: 4)
        let sequence = Network.slots(numbers: 3, width: 8, outputs: 2, generator: &generator)
        checkNetwork(sequence, input: numbers.images, count: 2, seed: 5)
    }

    @Test func perceptronBackwardMatchesFiniteDifferences() {
        var generator = SplitMix(seed: 6)
        let network = Network.perceptron(inputs: 7, hidden: [9, 5], outputs: 3, generator: &generator)
        let input = (0..<4 * 7).map { _ in Float(generator.nextUnit() * 2 - 1) }
        checkNetwork(network, input: input, count: 4, seed: 7)
    }

    /// Every operator's three losses against central differences in Double
    /// (the Gumbel noise is fixed by its seed, so each loss is a smooth function of the scores).
    @Test(arguments: RelaxedOperator.allCases)
    func relaxationGradientsMatchFiniteDifferences(op: RelaxedOperator) throws {
        let batch = 2, n = 5
        var generator = SplitMix(seed: 8)
        let scores = (0..<batch * n).map { _ in generator.nextUnit() * 4 - 2 }
        let values = (0..<batch * n).map { _ in generator.nextUnit() }
        let matches = (0..<batch * n).map { _ in Double(generator.index(2)) }
        let targets = [3, 0, 4, 1, 2, 1, 2, 0, 4, 3]
        let medians = [0.4, 0.7]
        let relaxation = Relaxation(op, temperature: 0.7, samples: 3)
        typealias Loss = ([Double], [Double]) throws -> Double
        let losses: [(String, Loss, [Double], [Double])] = try [
            ("crossEntropy", { s, _ in try relaxation.crossEntropy(scores: s, targets: targets, batch: batch, count: n, noiseSeed: 9).value },
             relaxation.crossEntropy(scores: scores, targets: targets, batch: batch, count: n, noiseSeed: 9).gradient, []),
            ("kNN", { s, _ in try relaxation.nearestNeighborLoss(scores: s, matches: matches, k: 2, batch: batch, count: n, noiseSeed: 9).value },
             relaxation.nearestNeighborLoss(scores: scores, matches: matches, k: 2, batch: batch, count: n, noiseSeed: 9).gradient, []),
            ("quantile", { s, v in try relaxation.quantileLoss(scores: s, values: v, targets: medians, level: 0.5, batch: batch, count: n, noiseSeed: 9).value },
             relaxation.quantileLoss(scores: scores, values: values, targets: medians, level: 0.5, batch: batch, count: n, noiseSeed: 9).scores,
             relaxation.quantileLoss(scores: scores, values: values, targets: medians, level: 0.5, batch: batch, count: n, noiseSeed: 9).values),
        ]
        let h = 1e-6
        for (name, loss, scoreGradient, valueGradient) in losses {
            for j in 0..<batch * n {
                var plus = scores, minus = scores
                plus[j] += h
                minus[j] -= h
                let numeric = (try loss(plus, values) - loss(minus, values)) / (2 * h)
                #expect(abs(numeric - scoreGradient[j]) <= 1e-6 * max(1, abs(numeric)), "\(op) \(name) dL/ds[\(j)]")
            }
            for j in valueGradient.indices {
                var plus = values, minus = values
                plus[j] += h
                minus[j] -= h
                let numeric = (try loss(scores, plus) - loss(scores, minus)) / (2 * h)
                #expect(abs(numeric - valueGradient[j]) <= 1e-6 * max(1, abs(numeric)), "\(op) \(name) dL/dv[\(j)]")
            }
        }
    }
}

@Suite("Paper tasks: statistics and PCA")
struct PaperTasksStatisticsTests {
    @Test func spearmanMatchesPearsonOfAverageRanks() {
        #expect(spearmanCorrelation([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(spearmanCorrelation([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // Ties: ranks a = (1, 2.5, 2.5, 4), b = (1, 2, 3, 4); rho = 4.5 / sqrt(4.5 * 5).
        #expect(averageRanks([1, 5, 5, 9]) == [1, 2.5, 2.5, 4])
        let rho = spearmanCorrelation([1, 5, 5, 9], [1, 2, 3, 4])
        #expect(abs(rho - 4.5 / (4.5 * 5.0).squareRoot()) < 1e-12)
    }

    @Test func jacobiEigenvectorsDiagonalizeASymmetricMatrix() {
        let d = 9
        var generator = SplitMix(seed: 10)
        var a = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                let x = generator.nextUnit() * 2 - 1
                a[i * d + j] = x
                a[j * d + i] = x
            }
        }
        let (values, vectors) = symmetricEigen(a, dimension: d)
        for c in 0..<d {
            for i in 0..<d {
                var av = 0.0
                for j in 0..<d { av += a[i * d + j] * vectors[j * d + c] }
                #expect(abs(av - values[c] * vectors[i * d + c]) < 1e-9)
            }
            for e in 0..<d {
                var dot = 0.0
                for i in 0..<d { dot += vectors[i * d + c] * vectors[i * d + e] }
                #expect(abs(dot - (c == e ? 1 : 0)) < 1e-9)
            }
        }
    }
}

@Suite("Paper tasks: smoke runs")
struct PaperTasksSmokeTests {
    @Test func sortRunsAndTouchesTestWithTheBestConfiguration() throws {
        var settings = SortSettings()
        settings.schedule = Schedule(steps: 6, batch: 4, checkpoints: 2)
        settings.temperatures = [1, 4]
        settings.validationSequences = 30
        settings.testSequences = 30
        settings.samples = 2
        let task = SortTask(data: try committedData(), settings: settings)
        for op in [RelaxedOperator.softSort, .stochasticNeuralSort] {
            let result = try task.run(op, n: 3, seed: 1) { _, _, _ in }
            #expect(result.task == "sort" && result.operator == op.rawValue && result.n == 3)
            #expect(result.grid.count == 2)
            #expect(result.selected.validation == result.grid.map(\.validation).max())
            #expect([3, 6].contains(result.selected.step ?? 0))
            #expect(result.curve.count == 2 && result.curve.allSatisfy { $0.trainLoss.isFinite })
            let exact = try #require(result.exactAccuracy), element = try #require(result.elementAccuracy)
            #expect((0...1).contains(exact) && (0...1).contains(element) && exact <= element)
        }
    }

    @Test func quantileRunsForAnOperatorAndTheRegressor() throws {
        var settings = QuantileSettings()
        settings.schedule = Schedule(steps: 4, batch: 3, checkpoints: 2)
        settings.validationSequences = 20
        settings.testSequences = 20
        settings.width = 16
        let task = QuantileTask(data: try committedData(), settings: settings)
        for op in [RelaxedOperator.softSort, nil] {
            let result = try task.run(op, n: 3, seed: 2) { _, _, _ in }
            #expect(result.operator == op?.rawValue && result.method == (op == nil ? "regressor" : nil))
            let mse = try #require(result.testMSE), rho = try #require(result.spearman)
            #expect(mse.isFinite && mse >= 0 && (-1...1).contains(rho))
            #expect(result.selected.validation == result.grid.map(\.validation).min())
        }
        #expect(throws: TaskError.self) { try task.run(.softSort, n: 4, seed: 1) { _, _, _ in } }
    }

    @Test func knnRunsWithItsBaselines() throws {
        var settings = KNNSettings()
        settings.schedule = Schedule(steps: 3, batch: 5, checkpoints: 1)
        settings.candidates = 12
        settings.ks = [1, 3]
        settings.baselineKs = [1, 3]
        settings.components = [8]
        settings.classifierSteps = 3
        settings.hidden = [16]
        settings.embedding = 8
        let task = KNNTask(data: try committedData(), settings: settings)
        let learnt = try task.run(.stochasticSoftSort, seed: 3) { _, _, _ in }
        #expect(learnt.operator == "softsort-stochastic" && learnt.grid.count == 2 && [1, 3].contains(learnt.k ?? 0))
        #expect((0...1).contains(try #require(learnt.testAccuracy)))
        let pixels = try task.fixedFeatureBaseline(method: "pixels", seed: 3)
        // kNN on optdigits pixels is a strong baseline (about 0.98 in the literature): far above chance.
        #expect(try #require(pixels.testAccuracy) > 0.9)
        let pca = try task.fixedFeatureBaseline(method: "pca", seed: 3)
        let pcaAccuracy = try #require(pca.testAccuracy)
        #expect(pca.method == "pca" && pca.selected.components == 8 && pcaAccuracy > 0.8)
        let classifier = try task.classifier(seed: 3) { _, _, _ in }
        let classifierAccuracy = try #require(classifier.testAccuracy)
        #expect(classifier.method == "classifier" && (0...1).contains(classifierAccuracy))
        let json = try ReportDocument(
            command: "test", split: task.data.summary, totalSeconds: 0, results: [learnt, pixels]).encoded()
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results[0]["task"] as? String == "knn" && results[0]["operator"] as? String == "softsort-stochastic")
        #expect(results[1]["method"] as? String == "pixels" && results[1]["testAccuracy"] != nil && results[1]["seed"] != nil)
    }
}
