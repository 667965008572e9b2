import ArgumentParser
import Foundation
import PaperTasks

/// `paper-tasks sort`: Table 1, sorting sequences of large numbers.
struct SortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sort",
        abstract: "Table 1: learn to sort sequences of four-digit numbers from their permutations alone.",
        discussion: """
            A number is four optdigits images side by side (8 x 32 pixels, 0000-9999). Each step \
            draws --batch sequences of n training numbers; a slot CNN scores every number; the loss \
            is the cross-entropy between the rows of the relaxed permutation and the true one \
            (descending). Validation: exact permutations on --validation-sequences sequences of \
            validation numbers; test: exact permutations and elements placed right on \
            --test-sequences sequences of test numbers.
            """)

    @OptionGroup var common: CommonOptions

    @Option(parsing: .upToNextOption, help: "Sequence lengths n.")
    var n: [Int] = [3, 5, 7, 9, 15]

    @Option(parsing: .upToNextOption, help: "Operators: softsort softsort-stochastic neuralsort neuralsort-stochastic.")
    var operators: [RelaxedOperator] = RelaxedOperator.allCases

    @Option(help: "Adam steps per training run (the checkpoint kept is chosen on validation).")
    var steps = SortSettings().schedule.steps

    @Option(help: "Sequences per step.")
    var batch = SortSettings().schedule.batch

    @Option(parsing: .upToNextOption, help: "Temperatures tried on validation (default: the one chosen on validation per operator; the paper's grid: 1 2 4 ... 4096).")
    var temperatures: [Double] = []

    @Option(parsing: .upToNextOption, help: "Adam learning rates tried on validation (cosine-decayed to 0).")
    var learningRates = SortSettings().learningRates

    @Option(help: "Gumbel samples per sequence for the stochastic operators.")
    var samples = SortSettings().samples

    @Option(help: "Width of the scorer's per-digit layers.")
    var width = SortSettings().width

    @Option(help: "Validation sequences per n.")
    var validationSequences = SortSettings().validationSequences

    @Option(help: "Test sequences per n.")
    var testSequences = SortSettings().testSequences

    func validate() throws {
        if n.isEmpty || n.contains(where: { $0 < 2 }) { throw ValidationError("every n must be at least 2") }
        if operators.isEmpty { throw ValidationError("--operators needs at least one operator") }
        if steps < 1 || batch < 1 || samples < 1 || width < 1 || validationSequences < 1 || testSequences < 1 {
            throw ValidationError("--steps, --batch, --samples, --width and the sequence counts must be at least 1")
        }
        if !temperatures.isEmpty { try checkGrid(temperatures, "--temperatures") }
        try checkGrid(learningRates, "--learning-rates")
    }

    func run() throws {
        let data = try common.load()
        var settings = SortSettings()
        settings.schedule = Schedule(steps: steps, batch: batch, checkpoints: common.checkpoints)
        settings.temperatures = temperatures.isEmpty ? nil : temperatures
        settings.learningRates = learningRates
        settings.samples = samples
        settings.width = width
        settings.validationSequences = validationSequences
        settings.testSequences = testSequences
        let task = SortTask(data: data, settings: settings)
        let runs = common.seeds.count * n.count * operators.count * max(1, temperatures.count) * learningRates.count
        var progress = ProgressBar("sort", total: runs * steps)
        var results: [TaskResult] = []
        let start = DispatchTime.now()
        for seed in common.seeds {
            for count in n {
                for op in operators {
                    let result = try task.run(op, n: count, seed: seed) { step, steps, loss in
                        progress.advance("\(op.rawValue) n = \(count) seed \(seed)", step: step, of: steps, loss: loss)
                    }
                    progress.finished(
                        "\(op.rawValue) n = \(count) seed \(seed): exact " + String(format: "%.3f", result.exactAccuracy ?? .nan)
                            + ", element " + String(format: "%.3f", result.elementAccuracy ?? .nan)
                            + String(format: " (%.1f s)", result.seconds))
                    results.append(result)
                }
            }
        }
        try common.finish(results, data: data, start: start, command: commandLine)
    }
}
