import Testing
@testable import SoftSortKit

/// One hostile call and the typed error it must throw.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: SoftSortError
    let call: @Sendable () throws -> Void

    init(_ name: String, _ expected: SoftSortError, _ call: @escaping @Sendable () throws -> Void) {
        self.name = name
        self.expected = expected
        self.call = call
    }

    var testDescription: String { "\(name) -> \(expected)" }

    /// Runs the call and checks it throws `expected`. Errors are compared by
    /// their description, which names the case and every payload, so a NaN
    /// payload (`invalidTemperature(.nan)`, never `==` itself) compares too.
    func check() {
        do {
            try call()
            Issue.record("\(name): no error, expected \(expected)")
        } catch let error as SoftSortError {
            #expect(error.description == expected.description, "\(name): got \(error)")
        } catch {
            Issue.record("\(name): not a SoftSortError: \(error)")
        }
    }
}

/// Ordinary inputs the hostile cases start from: B = 2, n = 3.
enum Ordinary {
    static let scores: [Float] = [0.1, 0.4, -0.3, 2.0, 1.0, 0.0]
    static func soft(tau: Double = 1, p: Double = 1, threads: Int? = nil) -> SoftSort {
        SoftSort(temperature: tau, power: p, threads: threads)
    }
    static var dense: RelaxedPermutation<Float> { get throws { try soft().forward(scores: scores, batch: 2, count: 3, path: .dense) } }
    static var denseMatrices: RelaxedMatrices<Float> { get throws { try dense.matrices() } }
    static var neural: RelaxedMatrices<Float> {
        get throws { try NeuralSort().forward(scores: scores, batch: 2, count: 3, path: .dense).matrices() }
    }
    static var exact: RelaxedPermutation<Float> { get throws { try soft().forward(scores: scores, batch: 2, count: 3, path: .exact) } }
    static var gauss: RelaxedPermutation<Float> { get throws { try soft(p: 2).forward(scores: scores, batch: 2, count: 3, path: .gauss) } }
    static var window: RelaxedPermutation<Float> {
        get throws { try soft().forward(scores: scores, batch: 2, count: 3, path: .window(.ranks(1))) }
    }
    static var windowed: SparseRows<Float> { get throws { try window.sparseRows(rows: 2) } }
    static var fused: RelaxedProduct<Float> {
        get throws {
            try soft().forward(scores: scores, batch: 2, count: 3, path: .fused)
                .apply(to: [Float](repeating: 1, count: 12), dimension: 2)
        }
    }
    /// Two samples per row: `batch x samples = 4` rows of matrices.
    static var stochastic: RelaxedMatrices<Float> {
        get throws {
            try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: 2))
                .forward(scores: scores, batch: 2, count: 3, path: .dense).matrices()
        }
    }
    /// `count` ones with `value` at `index`.
    static func ones(_ count: Int, _ value: Float = .nan, at index: Int) -> [Float] {
        var x = [Float](repeating: 1, count: count)
        x[index] = value
        return x
    }
}
