import ArgumentParser
import Foundation

/// One reference case of `data/golden` (format: its README.md).
struct GoldenCase: Decodable {
    struct Inputs: Decodable {
        var s: [[Double]]
        var W: [[[Double]]]
    }

    struct Expected: Decodable {
        var P: [[[Double]]]
        var Ps: [[Double]]
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
    var neuralsort: Expected

    /// `p` of the SoftSort distance: 1 for "abs", 2 for "squared".
    func power() throws -> Double {
        switch metric {
        case "abs": return 1
        case "squared": return 2
        default: throw ValidationError("case \(name): unknown metric '\(metric)'")
        }
    }

    static func load(directory: String) throws -> [GoldenCase] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") && $0 != "index.json" }
            .sorted()
        guard !files.isEmpty else { throw ValidationError("no case files in \(directory)") }
        return try files.map { file in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
            do {
                return try JSONDecoder().decode(GoldenCase.self, from: data)
            } catch {
                throw ValidationError("\(file): not a case file (\(error))")
            }
        }
    }
}
