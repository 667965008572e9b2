import Testing
@testable import SoftSortKit

/// Every output of the window path with a window of ranks `w` wide enough
/// to keep every entry (`w >= n - 1`), where it is the dense `P`: the
/// matrices, `P V`, `P^T U`, top-k, quantiles, `P s`, the ranks and the kNN
/// loss, each with its backward, against the `Double` references, on every
/// backend, `Float` and `Double`; and each backward against central finite
/// differences.
@Suite("Window path: every output of a full window")
struct WindowOutputsTests {
    static let sizes = [1, 7, 8, 9, 31, 32, 33]
    /// The window path computes every output but the cross-entropy and `log Z`.
    static let outputs = OutputChecks.Output.allCases

    static func check<T: SoftSortScalar>(_ type: T.Type, count n: Int, backend: Backend) throws {
        for power in [1.0, 2.0, 1.5] {
            for (tau, direction) in [(0.25, SortDirection.descending), (1.0, .ascending)] {
                // Exactly wide enough, and wider than any row.
                for window in [SoftSortPath.Window.ranks(max(n - 1, 0)), .ranks(Int.max)] {
                    let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                    try OutputChecks.check(
                        type, outputs: Self.outputs, path: .window(window), reference: .softSort(power: power),
                        temperature: tau, direction: direction, batch: 2, count: n, seed: UInt64(n) &* 5 &+ UInt64(power * 2),
                        tolerance: .rows(type, count: n), label: "\(T.self) \(backend) n \(n) p \(power) \(window)"
                    ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .window(window)) }
                }
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
            let op = SoftSort(temperature: 0.5, power: power)
            try OutputChecks.checkFiniteDifferences(
                outputs: Self.outputs, batch: 2, count: n, seed: UInt64(n) + 80, label: "window n \(n) p \(power)"
            ) { s, b, n in try op.forward(scores: s, batch: b, count: n, path: .window(.ranks(n))) }
        }
    }

    @Test("a narrower window is not the dense P: the check above can fail")
    func narrowWindowDiffers() throws {
        let n = 9, tau = 1.0
        var random = TestRandom(seed: 3)
        let s = random.distinct(n, spread: 2)
        let p = Reference.softSort(scores: s, batch: 1, count: n, temperature: tau, power: 1)
        let narrow = try SoftSort(temperature: tau).forward(scores: s, batch: 1, count: n, path: .window(.ranks(1)))
            .matrices()
        #expect(maxAbsDifference(narrow.values, p) > 1e-3)
    }
}
