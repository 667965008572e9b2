import Testing
@testable import SoftSortKit

/// Every output of the `.dense` path (the matrices, `P V`, `P^T U`, top-k,
/// quantiles, `P s`, the ranks and the kNN loss), SoftSort and NeuralSort, on
/// every backend, `Float` and `Double`, at sizes around the tiles, against
/// the `Double` references; and each backward against central finite
/// differences.
@Suite("Dense path: every output")
struct DenseOutputsTests {
    static let sizes = [1, 7, 8, 9, 31, 32, 33]

    static func checkSoftSort<T: SoftSortScalar>(_ type: T.Type, count n: Int, backend: Backend) throws {
        for power in [1.0, 2.0, 1.5] {
            for tau in [0.25, 1.0] {
                for direction in [SortDirection.descending, .ascending] {
                    let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                    try OutputChecks.check(
                        type, outputs: OutputChecks.Output.allCases, path: .dense, reference: .softSort(power: power),
                        temperature: tau, direction: direction, batch: 2, count: n, seed: UInt64(n * 10) + UInt64(power * 4),
                        tolerance: .rows(type, count: n), label: "\(T.self) \(backend) n \(n) p \(power) tau \(tau) \(direction)"
                    ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .dense) }
                }
            }
        }
    }

    @Test("SoftSort: every output against the reference, Double and Float", arguments: sizes, Backend.available)
    func softSort(count n: Int, backend: Backend) throws {
        try Self.checkSoftSort(Double.self, count: n, backend: backend)
        try Self.checkSoftSort(Float.self, count: n, backend: backend)
    }

    @Test("NeuralSort: every output against the reference, Double and Float", arguments: sizes)
    func neuralSort(count n: Int) throws {
        for backend in Backend.available {
            for tau in [0.25, 1.0] {
                for direction in [SortDirection.descending, .ascending] {
                    let op = NeuralSort(temperature: tau, direction: direction, backend: backend)
                    let label = "\(backend) n \(n) tau \(tau) \(direction)"
                    try OutputChecks.check(
                        Double.self, outputs: OutputChecks.Output.allCases, path: .dense, reference: .neuralSort,
                        temperature: tau, direction: direction, batch: 2, count: n, seed: UInt64(n),
                        tolerance: .neuralSort(Double.self, count: n, temperature: tau), label: "Double \(label)"
                    ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .dense) }
                    try OutputChecks.check(
                        Float.self, outputs: OutputChecks.Output.allCases, path: .dense, reference: .neuralSort,
                        temperature: tau, direction: direction, batch: 2, count: n, seed: UInt64(n),
                        tolerance: .neuralSort(Float.self, count: n, temperature: tau), label: "Float \(label)"
                    ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .dense) }
                }
            }
        }
    }

    @Test("every backward against central finite differences (Double, no ties)", arguments: [1, 7, 9])
    func finiteDifferences(count n: Int) throws {
        for power in [1.0, 2.0, 1.5] {
            let op = SoftSort(temperature: 0.5, power: power)
            try OutputChecks.checkFiniteDifferences(
                outputs: OutputChecks.Output.allCases, batch: 2, count: n, seed: UInt64(n) + 70, label: "SoftSort n \(n) p \(power)"
            ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .dense) }
        }
        let neural = NeuralSort(temperature: 0.5, direction: .ascending)
        try OutputChecks.checkFiniteDifferences(
            outputs: OutputChecks.Output.allCases, batch: 2, count: n, seed: UInt64(n) + 71, label: "NeuralSort n \(n)"
        ) { s, b, n in try neural.forward(scores: s, batch: b, count: n, path: .dense) }
    }
}
