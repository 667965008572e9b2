import Foundation

/// `simd-bench digits`' outputs: a table for people, JSON for perf/plot_digits.py.
enum DigitsReport {
    static func table(_ results: [DigitsResult]) -> String {
        var lines = ["operator               n   exact   element   steps   seconds"]
        for r in results {
            lines.append(
                r.operator.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(format: " %3d   %.3f   %.3f   %5d   %7.1f", r.n, r.exactAccuracy, r.elementAccuracy, r.steps, r.seconds))
        }
        return lines.joined(separator: "\n")
    }

    struct Document: Codable {
        var tool: String
        var machine: TrainReport.Machine
        var settings: DigitsSettings
        var totalSeconds: Double
        var results: [DigitsResult]
    }

    static func json(results: [DigitsResult], settings: DigitsSettings, seconds: Double) throws -> Data {
        var machine = TrainReport.Machine.current()
        machine.tool = "simd-bench digits (SoftSortKit, Float scorer)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(Document(
            tool: "simd-bench digits", machine: machine, settings: settings, totalSeconds: seconds, results: results))
    }
}
