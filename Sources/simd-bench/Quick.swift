import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench quick`: SoftSort (p = 1, p = 2) against NeuralSort, forward and
/// forward+backward, at B = 20.
struct Quick: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time SoftSort (p = 1, 2) against NeuralSort, forward and forward+backward.")

    @Option(parsing: .upToNextOption, help: "Row lengths n.")
    var n: [Int] = [100, 1000, 4000]

    @Option(help: "Batch size B.")
    var batch = 20

    @Option(help: "Timed repetitions per figure (the median is printed).")
    var repetitions = 5

    func run() throws {
        let backend = try Backend.preferred()
        print("simd-bench quick: Float, B = \(batch), backend \(backend), threads \(Parallelism.defaultThreadCount), "
              + "median of \(repetitions) runs, fresh buffers every call")
        print("operator            n    forward ms   fwd+bwd ms   fwd+bwd vs NeuralSort")
        for count in n {
            var generator = SplitMix(seed: 42)
            let scores = (0..<batch * count).map { _ in Float(generator.nextUnit() * 2 - 1) }
            let gradient = (0..<batch * count * count).map { _ in Float(generator.nextUnit() - 0.5) }
            let operators: [(String, (Bool) throws -> Void)] = [
                ("softsort p=1", { backward in try Self.step(SoftSort(temperature: 1, power: 1), scores, gradient, self.batch, count, backward) }),
                ("softsort p=2", { backward in try Self.step(SoftSort(temperature: 1, power: 2), scores, gradient, self.batch, count, backward) }),
                ("neuralsort", { backward in try Self.stepNeural(NeuralSort(temperature: 1), scores, gradient, self.batch, count, backward) }),
            ]
            var rows: [(String, Double, Double)] = []
            for (name, body) in operators {
                let forward = try Timing.medianMilliseconds(repetitions) { try body(false) }
                let both = try Timing.medianMilliseconds(repetitions) { try body(true) }
                rows.append((name, forward, both))
            }
            let neural = rows.last!.2
            for (name, forward, both) in rows {
                print(String(format: "%-14@ %6d %12.2f %12.2f %14.2fx", name as NSString, count, forward, both, neural / both))
            }
        }
    }

    /// The dense forward (the matrices), and with `backward` their backward.
    static func step(_ op: SoftSort, _ s: [Float], _ g: [Float], _ batch: Int, _ n: Int, _ backward: Bool) throws {
        let matrices = try op.forward(scores: s, batch: batch, count: n, path: .dense).matrices()
        if backward { _ = try matrices.backward(g) }
    }

    static func stepNeural(_ op: NeuralSort, _ s: [Float], _ g: [Float], _ batch: Int, _ n: Int, _ backward: Bool) throws {
        let matrices = try op.forward(scores: s, batch: batch, count: n, path: .dense).matrices()
        if backward { _ = try matrices.backward(g) }
    }
}
