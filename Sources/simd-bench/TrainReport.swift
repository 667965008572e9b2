import Foundation
import SoftSortKit

/// The speed experiment's outputs: a table for people, CSV and JSON for
/// `perf/plot.py` and other tools.
struct TrainReport {
    var results: [TrainResult]
    var machine: Machine

    /// Where the figures were measured.
    struct Machine: Codable, Sendable {
        var host: String
        var cpu: String
        var cores: Int
        var memoryGiB: Double
        var os: String
        var tool: String
        var date: String

        /// This machine, read from `ProcessInfo` and `/proc/cpuinfo`.
        static func current() -> Machine {
            let info = ProcessInfo.processInfo
            let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let model = cpuinfo.split(separator: "\n")
                .first(where: { $0.hasPrefix("model name") })
                .flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
            return Machine(
                host: info.hostName, cpu: model, cores: info.activeProcessorCount,
                memoryGiB: (Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
                os: info.operatingSystemVersionString, tool: "simd-bench train (SoftSortKit, Float)",
                date: ISO8601DateFormatter().string(from: Date()))
        }
    }

    /// NeuralSort's time per step at `n`, when it ran.
    func neuralSortMilliseconds(_ n: Int) -> Double? {
        results.first(where: { $0.op == .neuralSort && $0.count == n })?.msPerStep
    }

    /// `neuralsort ms / this ms` at the same n, when NeuralSort ran.
    func speedup(_ result: TrainResult) -> Double? {
        neuralSortMilliseconds(result.count).map { $0 / result.msPerStep }
    }

    /// A correlation for people: `1` exactly, `1 - 2.4e-07` when just short
    /// of it, else seven decimals.
    static func formatted(_ rho: Double) -> String {
        if rho == 1 { return "1" }
        if rho > 1 - 1e-4 { return String(format: "1 - %.1e", 1 - rho) }
        return String(format: "%.7f", rho)
    }

    /// The table printed on stdout, one line per (operator, n).
    var table: String {
        var lines = [
            "operator               tau      n  steps     ms/step  vs NeuralSort  final loss  Spearman min  rows at 1.0  backend  threads  peak MB"
        ]
        for r in results {
            let ratio = speedup(r).map { String(format: "%.2fx", $0) } ?? "-"
            lines.append(
                r.op.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + String(format: "%8g %6d %6d %11.2f", r.temperature, r.count, r.steps, r.msPerStep)
                    + String(repeating: " ", count: max(1, 15 - ratio.count)) + ratio
                    + String(format: " %11.4f", r.finalLoss)
                    + String(repeating: " ", count: max(1, 14 - Self.formatted(r.spearmanMinimum).count))
                    + Self.formatted(r.spearmanMinimum) + String(format: " %9d/%-3d", r.rowsSorted, r.batch)
                    + String(repeating: " ", count: max(1, 8 - r.backend.count)) + r.backend
                    + String(format: " %8d", r.threads)
                    + (r.peakMemoryBytes.map { String(format: " %8.1f", Double($0) / 1e6) } ?? "        -"))
        }
        let unsorted = results.filter { $0.rowsSorted < $0.batch }
        if unsorted.isEmpty {
            lines.append("Every row of every run ended sorted descending (Spearman 1.0).")
        } else {
            for r in unsorted {
                lines.append(
                    "note: \(r.op.rawValue) n = \(r.count): \(r.batch - r.rowsSorted) of \(r.batch) rows did not reach "
                        + "Spearman 1.0 in \(r.steps) steps (min \(Self.formatted(r.spearmanMinimum))).")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One header line and one line per result.
    var csv: String {
        var lines = ["operator,n,batch,threads,backend,steps,msPerStep,speedupVsNeuralSort,finalLoss,spearmanMin,rowsSorted,peakMemoryBytes"]
        for r in results {
            let ratio = speedup(r).map { String(format: "%.4f", $0) } ?? ""
            lines.append(
                "\(r.op.rawValue),\(r.count),\(r.batch),\(r.threads),\(r.backend),\(r.steps),"
                    + String(format: "%.4f", r.msPerStep) + ",\(ratio)," + String(format: "%.6f", r.finalLoss) + ","
                    + String(format: "%.6f", r.spearmanMinimum) + ",\(r.rowsSorted),"
                    + (r.peakMemoryBytes.map(String.init) ?? ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private struct Row: Codable {
        var `operator`: String
        var n: Int
        var batch: Int
        var threads: Int
        var backend: String
        var msPerStep: Double
        var spearman: Double
        var finalLoss: Double
        var peakMemoryBytes: Int?
        var lossPerStep: [Double]
        var spearmanMinimumPerStep: [Double]
    }

    private struct Document: Codable {
        var machine: Machine
        var results: [Row]
    }

    /// `{"machine": {...}, "results": [{"operator", "n", "batch", "threads",
    /// "backend", "msPerStep", "spearman", "finalLoss", "peakMemoryBytes",
    /// "lossPerStep", "spearmanMinimumPerStep"}]}`; `spearman` is the minimum
    /// over rows; the per-step lists start with the warm-up step.
    func json() throws -> Data {
        let rows = results.map {
            Row(
                operator: $0.op.rawValue, n: $0.count, batch: $0.batch, threads: $0.threads,
                backend: $0.backend, msPerStep: $0.msPerStep, spearman: $0.spearmanMinimum, finalLoss: $0.finalLoss,
                peakMemoryBytes: $0.peakMemoryBytes, lossPerStep: $0.lossPerStep,
                spearmanMinimumPerStep: $0.spearmanMinimumPerStep)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(Document(machine: machine, results: rows))
    }
}
