import Testing
@testable import SoftSortKit

/// The fused path's outputs beyond `P V` (`ApplyTests`): `P s` with its
/// backward through `P` and `s`, the top-k and quantile rows, and the kNN
/// loss, against the `Double` references, on every backend, `Float` and
/// `Double`; and each backward against central finite differences.
@Suite("Fused path: P s, top-k, quantiles, kNN")
struct FusedOutputsTests {
    static let sizes = [1, 7, 8, 9, 31, 32, 33]
    static let outputs: [OutputChecks.Output] = [.sortedValues, .topK, .quantiles, .nearestNeighbors]

    static func check<T: SoftSortScalar>(_ type: T.Type, count n: Int, backend: Backend) throws {
        for power in [1.0, 2.0, 1.5] {
            for (tau, direction) in [(0.25, SortDirection.descending), (1.0, .ascending)] {
                let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                try OutputChecks.check(
                    type, outputs: Self.outputs, path: .fused, reference: .softSort(power: power), temperature: tau,
                    direction: direction, batch: 2, count: n, seed: UInt64(n) &* 7 &+ UInt64(power * 2),
                    tolerance: .rows(type, count: n), label: "\(T.self) \(backend) n \(n) p \(power) tau \(tau)"
                ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .fused) }
            }
        }
    }

    @Test("against the reference, Double and Float", arguments: sizes, Backend.available)
    func againstReference(count n: Int, backend: Backend) throws {
        try Self.check(Double.self, count: n, backend: backend)
        try Self.check(Float.self, count: n, backend: backend)
    }

    @Test("every backward against central finite differences (Double, no ties)", arguments: [1, 7, 9])
    func finiteDifferences(count n: Int) throws {
        for power in [1.0, 2.0, 1.5] {
            let op = SoftSort(temperature: 0.5, power: power, direction: .ascending)
            try OutputChecks.checkFiniteDifferences(
                outputs: Self.outputs, batch: 2, count: n, seed: UInt64(n) + 60, label: "fused n \(n) p \(power)"
            ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .fused) }
        }
    }
}
