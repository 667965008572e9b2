import Testing
@testable import SoftSortKit

/// The gauss path's products beyond `P V`: `P^T U` and its backward, the
/// top-k and quantile rows of `P V`, and the kNN loss, against the `Double`
/// references, `Float` and `Double`, at sizes around the tiles (and the
/// radix sort's threshold); each backward against central finite differences.
@Suite("Gauss path: P^T U, top-k, quantiles, kNN")
struct GaussProductsTests {
    static let sizes = [1, 7, 8, 9, 31, 32, 33, 97]
    static let outputs: [OutputChecks.Output] = [.applyTransposed, .topK, .quantiles, .nearestNeighbors]

    static func check<T: SoftSortScalar>(_ type: T.Type, count n: Int) throws {
        for tau in [0.25, 1.0] {
            for direction in [SortDirection.descending, .ascending] {
                let op = SoftSort(temperature: tau, power: 2, direction: direction)
                try OutputChecks.check(
                    type, outputs: Self.outputs, path: .gauss, reference: .softSort(power: 2), temperature: tau,
                    direction: direction, batch: 2, count: n, seed: UInt64(n) &* 3, tolerance: .gauss(type),
                    label: "\(T.self) n \(n) tau \(tau) \(direction)"
                ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .gauss) }
            }
        }
    }

    @Test("against the reference, Double and Float", arguments: sizes)
    func againstReference(count n: Int) throws {
        try Self.check(Double.self, count: n)
        try Self.check(Float.self, count: n)
    }

    @Test("every backward against central finite differences (Double, no ties)", arguments: [1, 7, 9])
    func finiteDifferences(count n: Int) throws {
        let op = SoftSort(temperature: 0.5, power: 2, direction: .ascending)
        try OutputChecks.checkFiniteDifferences(
            outputs: Self.outputs, batch: 2, count: n, seed: UInt64(n) + 90, label: "gauss n \(n)"
        ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .gauss) }
    }
}
