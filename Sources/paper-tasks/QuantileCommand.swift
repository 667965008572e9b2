import ArgumentParser
import Foundation
import PaperTasks

/// `paper-tasks quantile`: Table 2, predicting the median of a sequence.
struct QuantileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantile",
        abstract: "Table 2: predict the median of n four-digit numbers, supervised by the median value only.",
        discussion: """
            A slot CNN scores every number, a second one regresses its value; the loss is the \
            squared error between the relaxed median row of P (the library's quantiles([0.5])) \
            applied to the regressed values and the true median / 10^4. Test: the same relaxed median \
            row (deterministic operator); MSE (values / 10^4) and Spearman's rho \
            against the true medians. The `regressor` baseline sees all n numbers and is trained \
            on the median directly.
            """)

    @OptionGroup var common: CommonOptions

    @Option(parsing: .upToNextOption, help: "Sequence lengths n (odd).")
    var n: [Int] = [5, 9, 15]

    @Option(parsing: .upToNextOption, help: "Operators: softsort softsort-stochastic neuralsort neuralsort-stochastic.")
    var operators: [RelaxedOperator] = [.softSort, .neuralSort]

    @Flag(inversion: .prefixedNo, help: "Also train the plain regressor baseline.")
    var regressor = true

    @Option(help: "Adam steps per training run (the checkpoint kept is chosen on validation).")
    var steps = QuantileSettings().schedule.steps

    @Option(help: "Sequences per step.")
    var batch = QuantileSettings().schedule.batch

    @Option(parsing: .upToNextOption, help: "Temperatures tried on validation (default: the one chosen on validation per operator; the paper's grid: 128 256 ... 4096).")
    var temperatures: [Double] = []

    @Option(parsing: .upToNextOption, help: "Adam learning rates tried on validation (every model).")
    var learningRates = QuantileSettings().learningRates

    @Option(help: "Gumbel samples per sequence for the stochastic operators.")
    var samples = QuantileSettings().samples

    @Option(help: "Width of the networks' per-digit layers.")
    var width = QuantileSettings().width

    @Option(help: "Validation sequences per n.")
    var validationSequences = QuantileSettings().validationSequences

    @Option(help: "Test sequences per n.")
    var testSequences = QuantileSettings().testSequences

    func validate() throws {
        if n.isEmpty || n.contains(where: { $0 < 1 || $0 % 2 == 0 }) { throw ValidationError("every n must be odd and positive") }
        if operators.isEmpty && !regressor { throw ValidationError("nothing to run: no operator and --no-regressor") }
        if steps < 1 || batch < 1 || samples < 1 || width < 1 || validationSequences < 1 || testSequences < 1 {
            throw ValidationError("--steps, --batch, --samples, --width and the sequence counts must be at least 1")
        }
        if !temperatures.isEmpty { try checkGrid(temperatures, "--temperatures") }
        try checkGrid(learningRates, "--learning-rates")
    }

    func run() throws {
        let data = try common.load()
        var settings = QuantileSettings()
        settings.schedule = Schedule(steps: steps, batch: batch, checkpoints: common.checkpoints)
        settings.temperatures = temperatures.isEmpty ? nil : temperatures
        settings.learningRates = learningRates
        settings.samples = samples
        settings.width = width
        settings.validationSequences = validationSequences
        settings.testSequences = testSequences
        let task = QuantileTask(data: data, settings: settings)
        let models: [RelaxedOperator?] = operators.map(Optional.some) + (regressor ? [nil] : [])
        let runs = common.seeds.count * n.count * learningRates.count
            * (operators.count * max(1, temperatures.count) + (regressor ? 1 : 0))
        var progress = ProgressBar("quantile", total: runs * steps)
        var results: [TaskResult] = []
        let start = DispatchTime.now()
        for seed in common.seeds {
            for count in n {
                for op in models {
                    let name = op?.rawValue ?? "regressor"
                    let result = try task.run(op, n: count, seed: seed) { step, steps, loss in
                        progress.advance("\(name) n = \(count) seed \(seed)", step: step, of: steps, loss: loss)
                    }
                    progress.finished(
                        "\(name) n = \(count) seed \(seed): test MSE " + String(format: "%.5f", result.testMSE ?? .nan)
                            + ", rho " + String(format: "%.3f", result.spearman ?? .nan) + String(format: " (%.1f s)", result.seconds))
                    results.append(result)
                }
            }
        }
        try common.finish(results, data: data, start: start, command: commandLine)
    }
}
