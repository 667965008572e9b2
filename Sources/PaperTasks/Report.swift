import Foundation

/// One reported run: one (task, operator or method, n or k, seed), its test
/// metrics (test touched once, with the configuration chosen on validation),
/// what was chosen and every configuration tried.
package struct TaskResult: Codable, Sendable {
    package var task: String
    /// The relaxed sort trained through (`softsort`, ...), or nil for a baseline.
    package var `operator`: String?
    /// A baseline's method: `regressor` (quantile), `pixels`, `pca`, `classifier` (knn).
    package var method: String?
    /// Sequence length (sort, quantile) or candidates per episode (knn).
    package var n: Int?
    /// kNN: the neighbours chosen on validation.
    package var k: Int?
    package var seed: UInt64
    package var exactAccuracy: Double?
    package var elementAccuracy: Double?
    package var testMSE: Double?
    package var spearman: Double?
    package var testAccuracy: Double?
    /// The configuration chosen on validation.
    package var selected: GridPoint
    /// Every configuration tried, with its validation metric.
    package var grid: [GridPoint]
    /// The step budget of each training run (0 for the fixed-feature baselines).
    package var steps: Int
    /// Wall time of the whole selection and the test evaluation.
    package var seconds: Double
    /// The chosen configuration's learning curve.
    package var curve: [CurvePoint]

    package init(task: String, seed: UInt64, selected: GridPoint, grid: [GridPoint], steps: Int, seconds: Double, curve: [CurvePoint]) {
        self.task = task
        self.seed = seed
        self.selected = selected
        self.grid = grid
        self.steps = steps
        self.seconds = seconds
        self.curve = curve
    }

    /// The operator or method.
    package var name: String { self.operator ?? method ?? "?" }
}

/// The machine a run measured on.
package struct Machine: Codable, Sendable {
    package var host: String
    package var cpu: String
    package var cores: Int
    package var date: String

    package static func current() -> Machine {
        let info = ProcessInfo.processInfo
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n")
            .first(where: { $0.hasPrefix("model name") })
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return Machine(
            host: info.hostName, cpu: model, cores: info.activeProcessorCount, date: ISO8601DateFormatter().string(from: Date()))
    }
}

/// The JSON `paper-tasks --json FILE` writes.
package struct ReportDocument: Codable, Sendable {
    package var tool: String
    package var command: String
    package var machine: Machine
    package var split: SplitSummary
    package var totalSeconds: Double
    package var results: [TaskResult]

    package init(command: String, split: SplitSummary, totalSeconds: Double, results: [TaskResult]) {
        tool = "paper-tasks (SoftSortKit)"
        self.command = command
        machine = .current()
        self.split = split
        self.totalSeconds = totalSeconds
        self.results = results
    }

    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// The image counts of the split, for the record.
package struct SplitSummary: Codable, Sendable {
    package var seed: UInt64
    package var testFraction: Double
    package var validationFraction: Double
    package var train: Int
    package var validation: Int
    package var test: Int
}

/// A plain-text table of results for the terminal.
package func resultTable(_ results: [TaskResult]) -> String {
    var lines = ["task      operator/method         n    k  seed  metrics                          chosen on validation"]
    for r in results {
        var metrics: [String] = []
        if let e = r.exactAccuracy { metrics.append(String(format: "exact %.3f", e)) }
        if let e = r.elementAccuracy { metrics.append(String(format: "element %.3f", e)) }
        if let e = r.testMSE { metrics.append(String(format: "MSE %.5f", e)) }
        if let e = r.spearman { metrics.append(String(format: "rho %.3f", e)) }
        if let e = r.testAccuracy { metrics.append(String(format: "accuracy %.4f", e)) }
        var chosen: [String] = []
        if let t = r.selected.temperature { chosen.append("tau \(t)") }
        if let l = r.selected.learningRate { chosen.append("lr \(l)") }
        if let c = r.selected.components { chosen.append("\(c) comp.") }
        if let s = r.selected.step { chosen.append("step \(s)") }
        lines.append(
            r.task.padding(toLength: 10, withPad: " ", startingAt: 0) + r.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + (r.n.map(String.init) ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0)
                + (r.k.map(String.init) ?? "-").padding(toLength: 3, withPad: " ", startingAt: 0)
                + String(r.seed).padding(toLength: 6, withPad: " ", startingAt: 0)
                + metrics.joined(separator: ", ").padding(toLength: 33, withPad: " ", startingAt: 0) + chosen.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
}
