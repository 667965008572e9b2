import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench paths`: every path that computes an output exactly, timed on a
/// grid of shapes (a forward, the output and its backward, a reused
/// workspace), against the path `.automatic` chooses; and the fit of the cost
/// table `.automatic` chooses by.
struct PathsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Time every exact path of every output on a grid of shapes against .automatic's choice.",
        discussion: """
            For each element type, p (1, 2 and 1.5), output (P V, P^T U, sorted values, ranks, \
            the cross-entropy, the kNN loss with k = min(n, 5)), batch B and row length n: the \
            median time of a forward + the output + its backward on each path that computes it \
            exactly (exact, gauss, fused, dense), the fastest, the path .automatic chooses and the \
            ratio of their times. Rows with B n above 2^22 are left out, O(n^2) paths above \
            B n^2 = 2^30 (and dense above 2^27 elements). With --emit-table FILE, the cost table \
            (Sources/SoftSortKit/Pipeline/PathCostTable.swift) is made from these times and \
            written there: per element type, p class, output and batch size, the fastest path \
            at each row length, as runs over n. --csv keeps every timing; --from-csv makes the \
            table from such a file without timing anew.
            """)

    @Option(parsing: .upToNextOption, help: "Batch sizes B.")
    var batches: [Int] = [1, 20, 4096]

    @Option(parsing: .upToNextOption, help: "Row lengths n.")
    var sizes: [Int] = [2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384, 65536, 262_144, 1_048_576]

    @Option(parsing: .upToNextOption, help: "Powers p (1 and 2 have their own paths; any other is one class).")
    var powers: [Double] = [1, 2, 1.5]

    @Option(parsing: .upToNextOption, help: "Element types: float, double.")
    var elements: [String] = ["float", "double"]

    @Option(help: "Seconds of timing per measurement (3 to 25 repetitions).")
    var budget = 0.12

    @Option(help: "Library threads (default: Parallelism.defaultThreadCount).")
    var threads: Int?

    @Option(help: "Write the fitted cost table (Swift source) to this file.")
    var emitTable: String?

    @Option(help: "Write every timing (element, p, output, B, n, path, ms) as CSV to this file.")
    var csv: String?

    @Option(parsing: .upToNextOption, help: "Outputs to time (default: every one).")
    var outputs: [String] = PathOutput.allCases.map(\.rawValue)

    @Option(
        parsing: .upToNextOption,
        help: "Fit the table to the timings of these CSV files instead of timing anew (with --emit-table); a later file's timing of a cell and path replaces an earlier one's.")
    var fromCSV: [String] = []

    func validate() throws {
        for name in outputs where PathOutput(rawValue: name) == nil {
            throw ValidationError("unknown output \(name); one of \(PathOutput.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for file in fromCSV where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("cannot read \(file)")
        }
        try OutputFile.check(csv)
        try OutputFile.check(emitTable)
    }

    func run() throws {
        let threads = self.threads ?? Parallelism.defaultThreadCount
        if !fromCSV.isEmpty {
            try emit(PathMeasurement.merged(try fromCSV.map(PathMeasurement.read(csv:))), threads: threads)
            return
        }
        print("simd-bench paths: forward + output + backward, median ms, threads \(threads), backend \(try Backend.preferred())")
        print("element  p    output              B        n  best     best ms   chosen   chosen ms  ratio")
        var measurements: [PathMeasurement] = []
        var worst = 1.0, over = 0, cells = 0
        for element in elements {
            for power in powers {
                for output in PathOutput.allCases where outputs.contains(output.rawValue) {
                    for batch in batches {
                        for count in sizes where batch * count <= 1 << 22 {
                            let cell = PathCell(element: element, power: power, output: output, batch: batch, count: count)
                            let timed = try cell.timeEveryPath(threads: threads, budget: budget)
                            guard let best = timed.min(by: { $0.milliseconds < $1.milliseconds }) else { continue }
                            measurements += timed
                            let chosen = try cell.chosenPath(threads: threads)
                            let chosenTime = timed.first { $0.path == chosen }?.milliseconds ?? .infinity
                            let ratio = chosenTime / best.milliseconds
                            cells += 1
                            worst = max(worst, ratio)
                            if ratio > 1.25 { over += 1 }
                            print(String(
                                format: "%-7@  %-3@  %-18@ %5d %8d  %-7@ %9.4f   %-7@ %9.4f  %5.2f%@",
                                element, "\(power)", output.rawValue, batch, count, best.path.description, best.milliseconds,
                                chosen.description, chosenTime, ratio, ratio > 1.25 ? "  > 1.25" : ""))
                        }
                    }
                }
            }
        }
        print(String(format: "cells %d, chosen path more than 1.25x the best in %d, worst ratio %.2f", cells, over, worst))
        if let csv {
            try PathMeasurement.write(measurements, csv: csv)
            print("wrote \(measurements.count) timings to \(csv)")
        }
        try emit(measurements, threads: threads)
    }

    /// Writes the table made from the timings.
    private func emit(_ measurements: [PathMeasurement], threads: Int) throws {
        guard let emitTable else { return }
        let rows = PathCostFit.rows(measurements)
        try PathCostFit.source(rows, threads: threads).write(toFile: emitTable, atomically: true, encoding: .utf8)
        print("wrote the table (\(rows.count) rows, \(rows.map(\.paths.count).reduce(0, +)) runs) to \(emitTable)")
    }
}

/// The outputs the grid times, as `RelaxedPermutation.path(for:)` names them.
enum PathOutput: String, CaseIterable {
    case product, transposedProduct, sortedValues, ranks, crossEntropy, nearestNeighbors
}

/// One timing: a path's median time on a cell.
struct PathMeasurement {
    let cell: PathCell
    let path: SoftSortPath
    let milliseconds: Double

    static func write(_ measurements: [PathMeasurement], csv: String) throws {
        var text = "element,power,output,batch,count,path,milliseconds\n"
        for m in measurements {
            text += "\(m.cell.element),\(m.cell.power),\(m.cell.output.rawValue),\(m.cell.batch),\(m.cell.count),\(m.path.description),\(m.milliseconds)\n"
        }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
    }

    /// The timings of several runs, a later run's timing of a cell and path
    /// replacing an earlier one's in place (the first run's order kept).
    static func merged(_ runs: [[PathMeasurement]]) -> [PathMeasurement] {
        var merged: [PathMeasurement] = [], index: [String: Int] = [:]
        for run in runs {
            for m in run {
                let key = "\(m.cell.element)|\(m.cell.power)|\(m.cell.output.rawValue)|\(m.cell.batch)|\(m.cell.count)|\(m.path)"
                if let k = index[key] { merged[k] = m } else { index[key] = merged.count; merged.append(m) }
            }
        }
        return merged
    }

    static func read(csv: String) throws -> [PathMeasurement] {
        let paths: [String: SoftSortPath] = ["exact": .exact, "gauss": .gauss, "fused": .fused, "dense": .dense]
        return try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 7, let power = Double(f[1]), let output = PathOutput(rawValue: f[2]), let batch = Int(f[3]),
                  let count = Int(f[4]), let path = paths[f[5]], let ms = Double(f[6]) else {
                throw ValidationError("not a timing line: \(line)")
            }
            return PathMeasurement(
                cell: PathCell(element: f[0], power: power, output: output, batch: batch, count: count), path: path,
                milliseconds: ms)
        }
    }
}

/// One point of the grid.
struct PathCell {
    let element: String
    let power: Double
    let output: PathOutput
    let batch: Int
    let count: Int
    /// The backend to time (`nil`: the preferred one).
    var backend: Backend? = nil

    /// The paths that may compute the output exactly for this p.
    var candidates: [SoftSortPath] {
        var paths: [SoftSortPath] = []
        if power == 1 { paths.append(.exact) }
        if power == 2 { paths.append(.gauss) }
        if output != .transposedProduct && output != .ranks { paths.append(.fused) }
        paths.append(.dense)
        return paths
    }

    var powerClass: String { power == 1 ? "one" : power == 2 ? "two" : "other" }

    func chosenPath(threads: Int) throws -> SoftSortPath {
        let softSort = SoftSort(temperature: 0.1, power: power, backend: backend, threads: threads)
        let result = element == "float"
            ? try softSort.forward(scores: [Float](repeating: 0, count: batch * count), batch: batch, count: count).path(for: output.rawValue)
            : try softSort.forward(scores: [Double](repeating: 0, count: batch * count), batch: batch, count: count).path(for: output.rawValue)
        return result ?? .automatic
    }

    func timeEveryPath(threads: Int, budget: Double) throws -> [PathMeasurement] {
        var timed: [PathMeasurement] = []
        for path in candidates {
            // The fused kNN loss computes only its k rows: O(B k n), not O(B n^2).
            let quadratic = path == .dense || (path == .fused && output != .nearestNeighbors)
            let work = Double(batch) * Double(count) * Double(count)
            if quadratic && work > 0x1p30 { continue }
            if path == .dense && work > 0x1p27 { continue }
            let milliseconds = element == "float"
                ? try time(Float.self, path: path, threads: threads, budget: budget)
                : try time(Double.self, path: path, threads: threads, budget: budget)
            timed.append(PathMeasurement(cell: self, path: path, milliseconds: milliseconds))
        }
        return timed
    }

    private func time<T: SoftSortScalar>(_: T.Type, path: SoftSortPath, threads: Int, budget: Double) throws -> Double {
        var generator = SplitMix(seed: UInt64(batch * 31 + count))
        let scores = (0..<batch * count).map { _ in T(generator.nextUnit() * 2 - 1) }
        let upstream = (0..<batch * count).map { _ in T(generator.nextUnit() - 0.5) }
        let targets = (0..<batch).flatMap { _ in (0..<count).shuffled(using: &generator) }
        let matches = (0..<batch * count).map { _ in T(generator.next() % 3 == 0 ? 1 : 0) }
        let softSort = SoftSort(temperature: 0.1, power: power, backend: backend, threads: threads)
        let workspace = Workspace<T>()
        let step = { () throws in
            let result = try softSort.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
            switch output {
            case .product: _ = try result.apply(to: scores).backward(upstream)
            case .transposedProduct: _ = try result.applyTransposed(to: scores).backward(upstream)
            case .sortedValues: _ = try result.sortedValues().backward(upstream)
            case .ranks: _ = try result.ranks().backward(upstream)
            case .crossEntropy: _ = try result.crossEntropy(targets: targets)
            case .nearestNeighbors: _ = try result.nearestNeighborLoss(matches: matches, k: min(count, 5))
            }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        try step()
        let once = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let repetitions = max(3, min(25, Int(budget / max(once, 1e-7))))
        return try Timing.medianMilliseconds(repetitions, step)
    }
}
