import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench grid`: the short-row grid (B = 4096, n = 3 ... 256) on every
/// output, every path that computes it exactly and `.automatic`, beside the
/// one-exp-per-entry roofline.
struct GridCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract: "Time every path and .automatic on the short-row grid (B = 4096, n = 3 ... 256), beside the exp roofline.",
        discussion: """
            For each p and output (the cross-entropy loss, sorted values, ranks, P V): the median \
            time of a forward + the output + its backward (a reused workspace, Float) on each path \
            that computes it exactly ("-" where a path does not), the path .automatic picks and its \
            time, and the one-exp-per-entry roofline: B n^2 exps at the rate of the AVX2 exp-and-store \
            loop measured in the same run on one thread, divided by the thread count. "best/roof" is \
            the fastest path's time over the roofline. --csv keeps every timing.
            """)

    @Option(help: "Batch size B.")
    var batch = 4096

    @Option(parsing: .upToNextOption, help: "Row lengths n.")
    var sizes: [Int] = [3, 4, 8, 12, 16, 24, 32, 48, 64, 128, 256]

    @Option(parsing: .upToNextOption, help: "Powers p.")
    var powers: [Double] = [1, 2]

    @Option(parsing: .upToNextOption, help: "Outputs: crossEntropy, sortedValues, ranks, product (also transposedProduct, nearestNeighbors).")
    var outputs: [String] = ["crossEntropy", "sortedValues", "ranks", "product"]

    @Option(help: "Seconds of timing per measurement (3 to 25 repetitions).")
    var budget = 0.1

    @Option(help: "Library threads (default: Parallelism.defaultThreadCount).")
    var threads: Int?

    @Option(help: "Backend: scalar, simd, avx2 (default: the preferred one).")
    var backend: String?

    @Option(help: "Write every timing (element, p, output, B, n, path, ms) as CSV to this file.")
    var csv: String?

    func validate() throws {
        for name in outputs where PathOutput(rawValue: name) == nil {
            throw ValidationError("unknown output \(name); one of \(PathOutput.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let backend, Backend(rawValue: backend) == nil { throw ValidationError("unknown backend \(backend)") }
        try OutputFile.check(csv)
    }

    func run() throws {
        let threads = self.threads ?? Parallelism.defaultThreadCount
        let backend = try self.backend.map { Backend(rawValue: $0)! } ?? Backend.preferred()
        let paths: [SoftSortPath] = [.exact, .gauss, .fused, .dense]
        // The roofline: exps per second of one thread's exp-and-store loop.
        _ = KernelsCommand.rooflineOnce(sweeps: 500)
        let samples = (0..<5).compactMap { _ in KernelsCommand.rooflineOnce(sweeps: 2500) }.sorted()
        let rate = samples.isEmpty ? nil : samples[samples.count / 2]
        print("simd-bench grid: forward + output + backward, median ms, Float, B = \(batch), threads \(threads), "
              + "backend \(backend)")
        if let rate { print(String(format: "exp roofline: %.0f M exp/s on one thread (AVX2 exp-and-store, in L1)", rate / 1e6)) }
        print("p    output                n      exact      gauss      fused      dense   automatic        roof  best/roof")
        var measurements: [PathMeasurement] = []
        for power in powers {
            for name in outputs {
                let output = PathOutput(rawValue: name)!
                for count in sizes {
                    let cell = PathCell(
                        element: "float", power: power, output: output, batch: batch, count: count, backend: backend)
                    let timed = try cell.timeEveryPath(threads: threads, budget: budget)
                    measurements += timed
                    let chosen = try cell.chosenPath(threads: threads)
                    let columns = paths.map { path in
                        timed.first { $0.path == path }.map { String(format: "%10.4f", $0.milliseconds) } ?? "         -"
                    }
                    let chosenTime = timed.first { $0.path == chosen }?.milliseconds
                    let automatic = chosenTime.map { String(format: "%-6@%6.3f", chosen.description, $0) } ?? "\(chosen) untimed"
                    let best = timed.map(\.milliseconds).min() ?? .nan
                    let roof = rate.map { Double(batch) * Double(count * count) / ($0 * Double(threads)) * 1e3 }
                    print(String(
                        format: "%-3@  %-18@ %4d %@ %@ %10@ %9@", "\(power)", name, count, columns.joined(separator: " "),
                        automatic, roof.map { String(format: "%.4f", $0) } ?? "-",
                        roof.map { String(format: "%.2f", best / $0) } ?? "-"))
                }
            }
        }
        if let csv {
            try PathMeasurement.write(measurements, csv: csv)
            print("wrote \(measurements.count) timings to \(csv)")
        }
    }
}
