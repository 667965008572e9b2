import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench quick`: every path and `.automatic`, SoftSort (p = 1, 2) and
/// NeuralSort, the paper's loss and the sorted values, forward + backward,
/// in a few seconds and a small footprint.
struct Quick: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time every path and .automatic (SoftSort p = 1, 2, NeuralSort): the loss and the sorted values, forward+backward.",
        discussion: """
            For each row length: the median time of a forward + the cross-entropy (its gradient \
            included) and of a forward + the sorted values + their backward, on every path that \
            computes them ("-" where a path does not) and .automatic (the path it took in \
            brackets), one workspace per operator and path. The dense path (and NeuralSort's sorted \
            values, dense only) is left out where its B x n x n matrices would pass --dense-limit \
            MB; the window path keeps 16 ranks each side.
            """)

    @Option(parsing: .upToNextOption, help: "Row lengths n.")
    var n: [Int] = [16, 256, 2000]

    @Option(help: "Batch size B.")
    var batch = 20

    @Option(help: "Timed repetitions per figure (the median is printed).")
    var repetitions = 5

    @Option(help: "The largest dense B x n x n matrix, in MB.")
    var denseLimit = 64.0

    func validate() throws {
        guard batch > 0, repetitions > 0, !n.isEmpty, n.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--batch, --repetitions and every --n must be positive")
        }
    }

    func run() throws {
        let backend = try Backend.preferred()
        print("simd-bench quick: Float, B = \(batch), backend \(backend), threads \(Parallelism.defaultThreadCount), "
              + "median of \(repetitions) runs, a workspace per operator and path")
        print("operator          n  path         loss fwd+bwd ms   sorted values fwd+bwd ms")
        for count in n {
            var generator = SplitMix(seed: 42)
            let scores = (0..<batch * count).map { _ in Float(generator.nextUnit() * 2 - 1) }
            let upstream = (0..<batch * count).map { _ in Float(generator.nextUnit() - 0.5) }
            let targets = (0..<batch).flatMap { _ in (0..<count).shuffled(using: &generator) }
            let denseMB = Double(batch) * Double(count) * Double(count) * 4 / 1e6
            let operators: [(String, SoftSortOperator, [SoftSortPath])] = [
                ("softsort p=1", .softSort(SoftSort(temperature: 0.1, power: 1)), [.exact, .fused, .dense, .window(.ranks(16))]),
                ("softsort p=2", .softSort(SoftSort(temperature: 0.1, power: 2)), [.gauss, .fused, .dense, .window(.ranks(16))]),
                ("neuralsort", .neuralSort(NeuralSort(temperature: 1)), [.fused, .dense]),
            ]
            for (name, op, paths) in operators {
                for path in [SoftSortPath.automatic] + paths where path != .dense || denseMB <= denseLimit {
                    let workspace = Workspace<Float>()
                    func forward() throws -> RelaxedPermutation<Float> {
                        try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
                    }
                    var taken = path
                    let loss = try time {
                        let result = try forward().crossEntropy(targets: targets)
                        taken = result.path
                    }
                    // NeuralSort's sorted values are the dense path's only, .automatic's too.
                    let neuralDense = name == "neuralsort" && path == .automatic && denseMB > denseLimit
                    let sorted = neuralDense ? "-" : try time { _ = try forward().sortedValues().backward(upstream) }
                    let label = path == .automatic ? "automatic (\(taken))" : path.description
                    print(String(format: "%-14@ %5d  %-18@ %10@ %14@", name, count, label, loss, sorted))
                }
            }
        }
    }

    /// The median ms of `body` as text, or "-" where the path does not compute it;
    /// any other error ends the run (a bad SOFTSORT_THREADS, say).
    private func time(_ body: () throws -> Void) throws -> String {
        do {
            return String(format: "%.3f", try Timing.medianMilliseconds(repetitions, body))
        } catch SoftSortError.unsupportedPath {
            return "-"
        }
    }
}

/// SoftSort or NeuralSort, for the loops that time both.
enum SoftSortOperator {
    case softSort(SoftSort)
    case neuralSort(NeuralSort)

    func forward(
        scores: [Float], batch: Int, count: Int, path: SoftSortPath, workspace: Workspace<Float>
    ) throws -> RelaxedPermutation<Float> {
        switch self {
        case .softSort(let op): return try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
        case .neuralSort(let op): return try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
        }
    }
}
