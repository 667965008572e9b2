import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench scaling`: dense SoftSort forward+backward, 1 thread up to all cores.
struct Scaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time dense SoftSort forward+backward from 1 thread up to every core.")

    @Option(parsing: .upToNextOption, help: "Row lengths n.")
    var n: [Int] = [500, 2000, 4000]

    @Option(help: "Batch size B.")
    var batch = 20

    @Option(help: "The largest thread count (default: the cores this process may use).")
    var maxThreads: Int?

    @Option(help: "Timed repetitions per figure (the median is reported).")
    var repetitions = 5

    @Option(help: "SoftSort's power p.")
    var power = 1.0

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    func validate() throws { try OutputFile.check(json) }

    func run() throws {
        let backend = try Backend.preferred()
        let cores = Parallelism.availableCores
        let top = maxThreads ?? cores
        print("simd-bench scaling: SoftSort p = \(power) forward+backward, Float, B = \(batch), backend \(backend), "
              + "\(cores) cores available, median of \(repetitions) runs, a reused workspace")
        print("     n  threads   ms/call   speedup vs 1 thread")
        var results: [[String: Any]] = []
        for count in n {
            var generator = SplitMix(seed: 7)
            let scores = (0..<batch * count).map { _ in Float(generator.nextUnit() * 2 - 1) }
            let gradient = (0..<batch * count * count).map { _ in Float(generator.nextUnit() - 0.5) }
            var single = 0.0
            for threads in 1...max(1, top) {
                let op = SoftSort(temperature: 0.1, power: power, threads: threads)
                let workspace = Workspace<Float>()
                let ms = try Timing.medianMilliseconds(repetitions) {
                    let matrices = try op.forward(scores: scores, batch: batch, count: count, path: .dense, workspace: workspace)
                        .matrices()
                    _ = try matrices.backward(gradient)
                }
                if threads == 1 { single = ms }
                print(String(format: "%6d %8d %9.2f %10.2fx", count, threads, ms, single / ms))
                results.append(["n": count, "batch": batch, "threads": threads, "msPerCall": ms])
            }
        }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: ["results": results], options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }
}
