import ArgumentParser
import Foundation
import PaperTasks

/// `paper-tasks knn`: Table 3, kNN classification with a learnt embedding.
struct KNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn",
        abstract: "Table 3: learn an embedding through the relaxed kNN loss; classify digits by kNN on it.",
        discussion: """
            Each step draws --batch query images and --candidates other training images; a \
            perceptron embeds them; the scores are the negative squared distances from each query \
            to the candidates; the loss is the library's kNN loss (the mean of the first k rows of \
            P y, y = 1 for candidates of the query's class). Evaluation: kNN vote over the whole \
            training side in the embedding. Baselines on the same split: kNN on pixels and on PCA \
            features (k and the PCA size chosen on validation), and a plain classifier.
            """)

    @OptionGroup var common: CommonOptions

    @Option(parsing: .upToNextOption, help: "Operators: softsort softsort-stochastic neuralsort neuralsort-stochastic.")
    var operators: [RelaxedOperator] = RelaxedOperator.allCases

    @Flag(inversion: .prefixedNo, help: "Also run the baselines: kNN on pixels, on PCA features, a plain classifier.")
    var baselines = true

    @Option(help: "Adam steps per training run (the checkpoint kept is chosen on validation).")
    var steps = KNNSettings().schedule.steps

    @Option(help: "Queries per step.")
    var batch = KNNSettings().schedule.batch

    @Option(help: "Candidates per query (the relaxed sort's n).")
    var candidates = KNNSettings().candidates

    @Option(parsing: .upToNextOption, help: "Neighbours k tried on validation (the kNN loss's and the vote's; default: the one chosen on validation per operator; the paper's grid: 1 3 5 9).")
    var k: [Int] = []

    @Option(parsing: .upToNextOption, help: "Temperatures tried on validation (default: the one chosen on validation per operator; the paper's grid: 1 4 16 64 128 512).")
    var temperatures: [Double] = []

    @Option(parsing: .upToNextOption, help: "Adam learning rates tried on validation.")
    var learningRates = KNNSettings().learningRates

    @Option(help: "Gumbel samples per query for the stochastic operators.")
    var samples = KNNSettings().samples

    @Option(parsing: .upToNextOption, help: "The baselines' neighbours k tried on validation.")
    var baselineK = KNNSettings().baselineKs

    @Option(parsing: .upToNextOption, help: "PCA sizes tried on validation.")
    var components = KNNSettings().components

    @Option(help: "Adam steps of the plain classifier.")
    var classifierSteps = KNNSettings().classifierSteps

    @Option(parsing: .upToNextOption, help: "Learning rates of the plain classifier tried on validation.")
    var classifierLearningRates = KNNSettings().classifierLearningRates

    @Option(help: "Training images of the embedding and the classifier move by up to this many pixels (0: none).")
    var shift = KNNSettings().shift

    @Flag(inversion: .prefixedNo, help: "Keep the pixels beside the learnt features in the embedding (e(x) = [x, f(x)]).")
    var pixelSkip = KNNSettings().pixelSkip

    func validate() throws {
        if shift < 0 || shift > 3 { throw ValidationError("--shift must be in 0 ... 3") }
        if operators.isEmpty && !baselines { throw ValidationError("nothing to run: no operator and --no-baselines") }
        if steps < 1 || batch < 1 || samples < 1 || candidates < 2 || classifierSteps < 1 {
            throw ValidationError("--steps, --batch, --samples and --classifier-steps must be at least 1, --candidates at least 2")
        }
        if k.contains(where: { $0 < 1 || $0 > candidates }) { throw ValidationError("every k must be in 1 ... --candidates") }
        if baselineK.isEmpty || baselineK.contains(where: { $0 < 1 }) { throw ValidationError("every --baseline-k must be at least 1") }
        if components.isEmpty || components.contains(where: { $0 < 1 || $0 > 64 }) { throw ValidationError("every --components must be in 1 ... 64") }
        if !temperatures.isEmpty { try checkGrid(temperatures, "--temperatures") }
        try checkGrid(learningRates, "--learning-rates")
        try checkGrid(classifierLearningRates, "--classifier-learning-rates")
    }

    func run() throws {
        let data = try common.load()
        var settings = KNNSettings()
        settings.schedule = Schedule(steps: steps, batch: batch, checkpoints: common.checkpoints)
        settings.candidates = candidates
        settings.ks = k.isEmpty ? nil : k
        settings.temperatures = temperatures.isEmpty ? nil : temperatures
        settings.learningRates = learningRates
        settings.samples = samples
        settings.baselineKs = baselineK
        settings.components = components
        settings.classifierSteps = classifierSteps
        settings.classifierLearningRates = classifierLearningRates
        settings.shift = shift
        settings.pixelSkip = pixelSkip
        let task = KNNTask(data: data, settings: settings)
        let runs = operators.count * max(1, k.count) * max(1, temperatures.count) * learningRates.count
        let total = common.seeds.count * (runs * steps + (baselines ? classifierLearningRates.count * classifierSteps : 0))
        var progress = ProgressBar("knn", total: total)
        var results: [TaskResult] = []
        let start = DispatchTime.now()
        for seed in common.seeds {
            for op in operators {
                let result = try task.run(op, seed: seed) { step, steps, loss in
                    progress.advance("\(op.rawValue) seed \(seed)", step: step, of: steps, loss: loss)
                }
                report(result, &progress)
                results.append(result)
            }
            guard baselines else { continue }
            for method in ["pixels", "pca"] {
                let result = try task.fixedFeatureBaseline(method: method, seed: seed)
                report(result, &progress)
                results.append(result)
            }
            let result = try task.classifier(seed: seed) { step, steps, loss in
                progress.advance("classifier seed \(seed)", step: step, of: steps, loss: loss)
            }
            report(result, &progress)
            results.append(result)
        }
        try common.finish(results, data: data, start: start, command: commandLine)
    }

    private func report(_ result: TaskResult, _ progress: inout ProgressBar) {
        progress.finished(
            "\(result.name) seed \(result.seed): test accuracy " + String(format: "%.4f", result.testAccuracy ?? .nan)
                + " (k \(result.k.map(String.init) ?? "-"))" + String(format: " (%.1f s)", result.seconds))
    }
}
