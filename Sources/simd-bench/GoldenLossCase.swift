import ArgumentParser
import Foundation

/// One loss case of `data/golden/loss` (format: data/golden/README.md, "Loss cases").
struct GoldenLossCase: Decodable {
    struct Inputs: Decodable {
        var s: [[Double]]
        var targets: [[Int]]
    }

    struct Expected: Decodable {
        var L: Double
        var grad: [[Double]]
    }

    var name: String
    var kind: String
    var B: Int
    var n: Int
    var tau: Double
    var metric: String
    var inputs: Inputs
    var softsort: Expected
    /// Absent on the largest cases.
    var neuralsort: Expected?

    /// `p` of the SoftSort distance: 1 for "abs", 2 for "squared".
    func power() throws -> Double {
        switch metric {
        case "abs": return 1
        case "squared": return 2
        default: throw ValidationError("case \(name): unknown metric '\(metric)'")
        }
    }

    /// Every `*.json` but `index.json` in `directory`, by name; none when the
    /// folder does not exist.
    static func load(directory: String) throws -> [GoldenLossCase] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") && $0 != "index.json" }
            .sorted()
        return try files.map { file in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
            do {
                return try JSONDecoder().decode(GoldenLossCase.self, from: data)
            } catch {
                throw ValidationError("\(file): not a loss case file (\(error))")
            }
        }
    }
}
