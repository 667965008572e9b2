import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench latency`: the time of one small call (B = 1, n = 16 by
/// default) with a workspace, split into the forward (the plan: validation,
/// the scale of the scores), the loss and the sorted values with their
/// backward.
struct LatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Time one small call (B = 1, n = 16) with a workspace: the forward, the loss, the sorted values.",
        discussion: """
            Per p and path: the median over --repetitions stretches of --calls calls of the \
            nanoseconds per call of the forward alone (validation and the plan; the outputs are \
            lazy), of the forward + the cross-entropy (its gradient included) and of the forward \
            + the sorted values + their backward; one workspace reused by every call, the \
            default thread count (work this small never leaves the calling thread). \
            --powers and --paths keep some of the rows (to profile one case).
            """)

    @Option(help: "Batch size B.")
    var batch = 1

    @Option(help: "Row length n.")
    var count = 16

    @Option(help: "Calls per timed stretch.")
    var calls = 20_000

    @Option(help: "Timed stretches (the median is printed).")
    var repetitions = 7

    @Option(parsing: .upToNextOption, help: "The powers p to time: 1, 2 or both (default).")
    var powers: [Double] = [1, 2]

    /// The rows' path names, in the order they are printed.
    static let pathNames = ["automatic", "exact-or-gauss", "fused", "dense"]

    @Option(parsing: .upToNextOption, help: "The paths to time: automatic, exact-or-gauss (p's own), fused, dense (default: all).")
    var paths: [String] = Self.pathNames

    func validate() throws {
        guard batch > 0, count > 0, calls > 0, repetitions > 0 else {
            throw ValidationError("--batch, --count, --calls and --repetitions must be positive")
        }
        guard powers.allSatisfy({ $0 == 1 || $0 == 2 }) else { throw ValidationError("--powers takes 1 and 2") }
        guard paths.allSatisfy(Self.pathNames.contains) else {
            throw ValidationError("--paths takes \(Self.pathNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        // The options' values as plain constants: each read of an `@Option`
        // in the timed closures would run its property wrapper's getter
        // (generic metadata, a copy of its parsed state), timed with the call.
        let batch = batch, count = count
        var generator = SplitMix(seed: 7)
        let scores = (0..<batch * count).map { _ in Float(generator.nextUnit() * 2 - 1) }
        let upstream = (0..<batch * count).map { _ in Float(generator.nextUnit() - 0.5) }
        let targets = (0..<batch).flatMap { _ in (0..<count).shuffled(using: &generator) }
        print("simd-bench latency: Float, B = \(batch), n = \(count), backend \(try Backend.preferred()), "
              + "threads \(Parallelism.defaultThreadCount), ns per call, median of \(repetitions) x \(calls) calls")
        print("p    path                forward   forward+loss   forward+sorted values+backward")
        for power in [1.0, 2.0] where powers.contains(power) {
            let op = SoftSort(temperature: 0.1, power: power)
            let named = zip(Self.pathNames, [SoftSortPath.automatic, power == 1 ? .exact : .gauss, .fused, .dense])
            for (name, path) in named where paths.contains(name) {
                let workspace = Workspace<Float>()
                let forward = try nanoseconds {
                    _ = try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
                }
                var taken = path
                let loss = try nanoseconds {
                    taken = try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
                        .crossEntropy(targets: targets).path
                }
                let sorted = try nanoseconds {
                    _ = try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
                        .sortedValues().backward(upstream)
                }
                let label = path == .automatic ? "automatic (\(taken))" : path.description
                print(String(format: "%-3@  %-18@ %8.0f %14.0f %16.0f", "\(power)", label, forward, loss, sorted))
            }
        }
    }

    /// Nanoseconds per call of `body`: the median of `repetitions` stretches.
    private func nanoseconds(_ body: () throws -> Void) throws -> Double {
        for _ in 0..<min(calls, 1000) { try body() }
        var samples: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<calls { try body() }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}
