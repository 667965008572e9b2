import ArgumentParser
import Foundation
import PaperTasks

extension RelaxedOperator: ExpressibleByArgument {}

/// `paper-tasks`: the SoftSort paper's three experiments (section 5) as
/// training jobs on real handwritten digits (UCI optdigits, data/digits/).
@main
struct PaperTasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper-tasks",
        abstract: "The paper's sorting, quantile-regression and differentiable-kNN tasks on handwritten digits.",
        discussion: """
            Every task splits the optdigits images by image, per digit class: 25 % test, 20 % of \
            the rest validation, the rest training. Every configuration in the grids given \
            (temperatures, learning rates, k) is trained on the training side and checkpointed on \
            the validation side (the best checkpoint fixes the step count); the best configuration \
            on validation is scored once on the test side. One thread throughout. \
            See Sources/paper-tasks/README.md.
            """,
        subcommands: [SortCommand.self, QuantileCommand.self, KNNCommand.self])
}

/// The options every task shares.
struct CommonOptions: ParsableArguments {
    @Option(parsing: .upToNextOption, help: "Seeds: initial weights, training batches, Gumbel noise (the split and the evaluation sequences never change).")
    var seeds: [UInt64] = [1]

    @Option(help: "The digits file (default: data/digits/optdigits-8x8.txt of this repository).")
    var data: String?

    @Option(help: "Write the results, with learning curves and every configuration's validation metric, as JSON to this file.")
    var json: String?

    @Option(help: "Validation checkpoints per training run (learning-curve points).")
    var checkpoints = 20

    func validate() throws {
        if seeds.isEmpty { throw ValidationError("--seeds needs at least one seed") }
        if checkpoints < 1 { throw ValidationError("--checkpoints must be at least 1") }
    }

    func load() throws -> TaskData {
        let path = data ?? DigitImages.defaultPath()
        let data = TaskData(digits: try DigitImages.load(path: path))
        let s = data.summary
        print("paper-tasks: \(data.digits.count) images from \(path): \(s.train) train, \(s.validation) validation, \(s.test) test (split seed \(s.seed)); one thread")
        return data
    }

    /// Prints the table and writes the JSON.
    func finish(_ results: [TaskResult], data: TaskData, start: DispatchTime, command: String) throws {
        let total = seconds(since: start)
        print(resultTable(results))
        print(String(format: "total %.1f s", total))
        if let json {
            let document = ReportDocument(command: command, split: data.summary, totalSeconds: total, results: results)
            try document.encoded().write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
    }
}

/// Checks a grid option: not empty, every value positive.
func checkGrid(_ values: [Double], _ name: String) throws {
    if values.isEmpty || values.contains(where: { !($0 > 0) || !$0.isFinite }) {
        throw ValidationError("\(name) needs one or more positive values")
    }
}

/// The whole command line, for the JSON.
var commandLine: String { CommandLine.arguments.joined(separator: " ") }
