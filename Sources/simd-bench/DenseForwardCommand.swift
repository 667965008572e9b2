import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench dense-forward`: one dense forward (the `B x n x n` matrix) of
/// zero scores, for `.ci/memory-limit.sh`, which runs it as a real process
/// under `ulimit -v`: a `P` that cannot fit must end the process
/// with the typed `insufficientMemory` error (exit status 3, its text on
/// stderr), never with `Fatal error: failed to allocate`.
struct DenseForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dense-forward",
        abstract: "Run one dense forward; a SoftSortError exits with status 3 and its text.")

    @Option(help: "Row length n.")
    var count = 60_000

    @Option(help: "Batch size B.")
    var batch = 1

    @Option(help: "softsort or neuralsort.")
    var method = "softsort"

    @Option(help: "SoftSort's power p.")
    var power = 2.0

    func run() throws {
        let scores = [Float](repeating: 0, count: batch * count)
        do {
            let matrices: Int
            switch method {
            case "softsort":
                matrices = try SoftSort(power: power).forward(scores: scores, batch: batch, count: count, path: .dense)
                    .matrices().values.count
            case "neuralsort":
                matrices = try NeuralSort().forward(scores: scores, batch: batch, count: count, path: .dense)
                    .matrices().values.count
            default:
                throw ValidationError("--method is softsort or neuralsort, not \(method)")
            }
            print("dense-forward: \(method) B = \(batch), n = \(count): \(matrices) entries")
        } catch let error as SoftSortError {
            FileHandle.standardError.write(Data("dense-forward: SoftSortError.\(error.caseName): \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}

extension SoftSortError {
    /// The case's name for the message: `insufficientMemory`, or `other`.
    var caseName: String {
        if case .insufficientMemory = self { return "insufficientMemory" }
        return "other"
    }
}
