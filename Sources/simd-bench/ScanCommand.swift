import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench scan`: the exact O(n log n) `p = 1` path against one plain
/// sort and against the dense `p = 1` path.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Time the exact O(n log n) p = 1 SoftSort against a plain sort and the dense path.",
        discussion: """
            Float, U(0, 1) scores from a fixed seed, one thread unless said. \
            (1) B = 1, n = 1e4, 1e5, 1e6 (--sizes): forward + backward of P s (SoftSort(power: 1).forward \
            on path .exact, sortedValues() and its backward), then the p = 1 cross-entropy (forward on path \
            .exact, crossEntropy(targets:), a reused Workspace, then none, then a reused one on 2 threads: the one \
            row's radix sort splits over them), each next to one plain sort \
            ([Float].sort()) of the same data in the same run. \
            (2) B = 20, n = 4000: the paper's training step, cross-entropy to the identity \
            (-sum log P[b, i, i], tau 0.1), forward + loss + backward: the .exact cross-entropy with a \
            reused Workspace on 1 and 2 threads, and the \
            dense p = 1 path (SoftSort(power: 1), matrices(), preferred backend, 1 thread, a reused workspace). \
            (3) the sparse window (path .window(.tolerance(1e-7)), sparseRows(rows:)), tau 1e-3, forward + backward: \
            top 100 rows at n = 1e4, 1e5, 1e6 for p = 1 and p = 2, then 10^4 rows at n = 1e4, 1e5 \
            for p = 1 (the kept entries and the time per entry are printed), then a batch on the \
            scheduler: B = 20, n = 4000, every row, p = 1 and 2, 1 and 2 threads (ns per kept entry). \
            Medians of the repetitions; ms = the case's time, msSort = one plain sort, \
            msDense = the dense step.
            """)

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    func validate() throws { try OutputFile.check(json) }

    @Option(help: "Repetitions per measurement (median reported).")
    var repetitions = 5

    @Option(help: "Repetitions of the dense B = 20, n = 4000 step (about 1 s each).")
    var denseRepetitions = 3

    @Option(help: "Comma-separated sections to run: exact, window, sort, gauss, gauss-outputs.")
    var sections = "exact,window,sort,gauss"

    @Option(help: "Comma-separated row lengths n of the B = 1 exact and gauss rows.")
    var sizes = "10000,100000,1000000"

    /// The row lengths of the B = 1 exact and gauss rows (`--sizes`).
    var rowLengths: [Int] { sizes.split(separator: ",").compactMap { Int($0) } }

    struct Result: Encodable {
        var `case`: String
        var n: Int
        var batch: Int
        var ms: Double
        var msSort: Double?
        var msDense: Double?
    }

    func run() throws {
        var results: [Result] = []
        var generator = SplitMix(seed: 0x5CA7)

        print("exact p = 1 scans, Float, 1 thread (\(repetitions) repetitions, medians)")
        let header = ["case".padding(toLength: 28, withPad: " ", startingAt: 0),
                      "n".leftPadded(9), "B".leftPadded(5), "ms".leftPadded(11), "msSort".leftPadded(10),
                      "msDense".leftPadded(10), "ratio".leftPadded(8)]
        print(header.joined(separator: " "))
        func report(_ r: Result) {
            // ratio: ms / msSort (how many plain sorts), or msDense / ms (speedup).
            let ratio = r.msDense.map { String(format: "%.0fx", $0 / r.ms) }
                ?? r.msSort.map { String(format: "%.2f", r.ms / $0) } ?? "-"
            let fields = [r.case.padding(toLength: 28, withPad: " ", startingAt: 0), "\(r.n)".leftPadded(9),
                          "\(r.batch)".leftPadded(5), String(format: "%.3f", r.ms).leftPadded(11),
                          (r.msSort.map { String(format: "%.3f", $0) } ?? "-").leftPadded(10),
                          (r.msDense.map { String(format: "%.1f", $0) } ?? "-").leftPadded(10), ratio.leftPadded(8)]
            print(fields.joined(separator: " "))
            results.append(r)
        }

        let chosen = Set(sections.split(separator: ",").map(String.init))
        // (1) B = 1: forward + backward of P s, and one plain sort.
        for n in rowLengths where chosen.contains("exact") {
            let scores = (0..<n).map { _ in Float(generator.nextUnit()) }
            let gradient = (0..<n).map { _ in Float(generator.nextUnit() - 0.5) }
            let exact = SoftSort(temperature: 1e-3, power: 1, threads: 1)
            let ms = try Timing.medianMilliseconds(repetitions) {
                let result = try exact.forward(scores: scores, batch: 1, count: n, path: .exact)
                let values = try result.sortedValues()
                let back = try values.backward(gradient)
                precondition(values.values.count == n && back.count == n)
            }
            let msSort = Timing.medianMilliseconds(repetitions) {
                var copy = scores
                copy.sort()
                precondition(copy.count == n)
            }
            report(Result(case: "sortedValues-fwd+bwd", n: n, batch: 1, ms: ms, msSort: msSort))
        }

        // (1b) B = 1: the p = 1 cross-entropy (targets identity) forward + backward, and one plain sort.
        if chosen.contains("exact") {
            print("exact p = 1 cross-entropy fwd+bwd, Float, tau 1e-3, targets identity, a reused Workspace (then none); accuracy = max relative error")
            print("  (n = 1e4: loss and dL/ds vs the dense Double loss; larger n: vs the Double exact path)")
        }
        for n in rowLengths where chosen.contains("exact") {
            let scores = (0..<n).map { _ in Float(generator.nextUnit()) }
            let targets = Array(0..<n)
            let op = SoftSort(temperature: 1e-3, power: 1, threads: 1)
            // One workspace for every repetition, as a training loop passes;
            // then fresh buffers every call.
            let workspace = Workspace<Float>()
            let ms = try Timing.medianMilliseconds(repetitions) {
                let r = try op.forward(scores: scores, batch: 1, count: n, path: .exact, workspace: workspace)
                    .crossEntropy(targets: targets)
                precondition(r.value.isFinite)
            }
            let msFresh = try Timing.medianMilliseconds(repetitions) {
                let r = try op.forward(scores: scores, batch: 1, count: n, path: .exact).crossEntropy(targets: targets)
                precondition(r.value.isFinite)
            }
            // The same call on 2 threads: the one row's radix sort splits over them.
            let op2 = SoftSort(temperature: 1e-3, power: 1, threads: 2), workspace2 = Workspace<Float>()
            let ms2 = try Timing.medianMilliseconds(repetitions) {
                let r = try op2.forward(scores: scores, batch: 1, count: n, path: .exact, workspace: workspace2)
                    .crossEntropy(targets: targets)
                precondition(r.value.isFinite)
            }
            let msSort = Self.plainSortMilliseconds(scores, repetitions: repetitions)
            print("  n \(n): accuracy " + (try Self.exactAccuracy(scores, temperature: 1e-3)))
            report(Result(case: "exact-p1-tau1e-03-fwd+bwd", n: n, batch: 1, ms: ms, msSort: msSort))
            report(Result(case: "exact-p1-tau1e-03-fresh", n: n, batch: 1, ms: msFresh, msSort: msSort))
            report(Result(case: "exact-p1-tau1e-03-2thr", n: n, batch: 1, ms: ms2, msSort: msSort))
        }

        // (2) B = 20, n = 4000: the training step, scan path vs dense p = 1 path.
        if chosen.contains("exact") {
            let batch = 20, n = 4000, tau = 0.1
            let scores = (0..<batch * n).map { _ in Float(generator.nextUnit()) }
            let targets = (0..<batch * n).map { $0 % n }
            // The loss call a training loop makes, with its reused workspace, on 1 and 2 threads.
            var msThreads: [Double] = []
            for threads in [1, 2] {
                let exact = SoftSort(temperature: tau, power: 1, threads: threads), workspace = Workspace<Float>()
                msThreads.append(try Timing.medianMilliseconds(repetitions) {
                    let loss = try exact.forward(scores: scores, batch: batch, count: n, path: .exact, workspace: workspace)
                        .crossEntropy(targets: targets)
                    precondition(loss.value.isFinite)
                })
            }
            let ms = msThreads[0]
            let dense = SoftSort(temperature: tau, power: 1, threads: 1)
            let workspace = Workspace<Float>()
            var matrixGradient = [Float](repeating: 0, count: batch * n * n)
            var backendName = ""
            let msDense = try Timing.medianMilliseconds(denseRepetitions) {
                let result = try dense.forward(scores: scores, batch: batch, count: n, path: .dense, workspace: workspace)
                    .matrices()
                var loss = 0.0
                for b in 0..<batch {
                    for i in 0..<n {
                        let k = (b * n + i) * n + i
                        let diagonal = max(result.values[k], .leastNormalMagnitude)
                        loss -= log(Double(diagonal))
                        matrixGradient[k] = -1 / diagonal
                    }
                }
                let gradient = try result.backward(matrixGradient)
                backendName = result.backend.rawValue
                precondition(loss.isFinite && gradient.count == batch * n)
            }
            print("dense backend: \(backendName), 1 thread")
            report(Result(case: "train-step-crossentropy", n: n, batch: batch, ms: ms, msDense: msDense))
            report(Result(case: "train-step-crossentropy-2thr", n: n, batch: batch, ms: msThreads[1], msDense: msDense))
        }

        // (3) The sparse window: top 100 rows, tolerance 1e-7, tau 1e-3, U(0, 1).
        print("window: top 100 rows, tolerance 1e-7, tau 1e-3; entries = kept (row, column) pairs")
        for power in [1.0, 2.0] where chosen.contains("window") {
            for n in [10_000, 100_000, 1_000_000] {
                let scores = (0..<n).map { _ in Float(generator.nextUnit()) }
                let windowed = SoftSort(temperature: 1e-3, power: power)
                func rows() throws -> SparseRows<Float> {
                    try windowed.forward(scores: scores, batch: 1, count: n, path: .window(.tolerance(1e-7)))
                        .sparseRows(rows: 100)
                }
                let probe = try rows()
                let entries = probe.values.count
                let gradient = [Float](repeating: 0.5, count: entries)
                let ms = try Timing.medianMilliseconds(repetitions) {
                    let back = try rows().backward(gradient)
                    precondition(back.count == n)
                }
                let msForwardOnly = try Timing.medianMilliseconds(repetitions) {
                    _ = try rows()
                }
                let msSort = Timing.medianMilliseconds(repetitions) {
                    var copy = scores
                    copy.sort()
                    precondition(copy.count == n)
                }
                print(String(
                    format: "  p = %.0f  n = %8d  entries %10d  (%.0f per row)  max dropped-mass bound %.1e  forward %.2f ms",
                    power, n, entries, Double(entries) / 100, Double(probe.droppedMass.max() ?? 0), msForwardOnly))
                report(Result(case: "window-p\(Int(power))-top100-fwd+bwd", n: n, batch: 1, ms: ms, msSort: msSort))
            }
        }

        // (3b) Many rows: cost per kept entry, n = 1e4 (every row) and n = 1e5 (10^4 rows), p = 1.
        print("window: 10^4 rows, p = 1, tolerance 1e-7, tau 1e-3 (dense p = 1 would be rows x n entries)")
        for n in [10_000, 100_000] where chosen.contains("window") {
            let scores = (0..<n).map { _ in Float(generator.nextUnit()) }
            let windowed = SoftSort(temperature: 1e-3, power: 1)
            func rows() throws -> SparseRows<Float> {
                try windowed.forward(scores: scores, batch: 1, count: n, path: .window(.tolerance(1e-7)))
                    .sparseRows(rows: 10_000)
            }
            let entries = try rows().values.count
            let gradient = [Float](repeating: 0.5, count: entries)
            let ms = try Timing.medianMilliseconds(max(1, repetitions / 2)) {
                let back = try rows().backward(gradient)
                precondition(back.count == n)
            }
            let msSort = Timing.medianMilliseconds(repetitions) {
                var copy = scores
                copy.sort()
                precondition(copy.count == n)
            }
            print(String(format: "  n = %6d  entries %10d (%.1f%% of rows x n)  %.2f ns per entry", n, entries,
                         100 * Double(entries) / (1e4 * Double(n)), (ms - msSort) * 1e6 / Double(entries)))
            report(Result(case: "window-p1-rows10000-fwd+bwd", n: n, batch: 1, ms: ms, msSort: msSort))
        }

        // (3c) A batch on the scheduler: B = 20, n = 4000, every row kept, 1 and 2 threads.
        if chosen.contains("window") { try scanWindowBatch(&generator, report: report) }

        if chosen.contains("sort") { scanSorts(&generator, report: report) }
        if chosen.contains("gauss") { try scanGauss(&generator, report: report) }
        if chosen.contains("gauss-outputs") { try scanGaussOutputs(&generator, report: report) }

        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(["results": results])
            try data.write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
