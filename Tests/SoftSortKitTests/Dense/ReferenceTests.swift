import Testing
@testable import SoftSortKit

/// Every backend against the Double reference, forward and backward, and the
/// reference's backward against central finite differences.
@Suite("Kernels against the Double reference")
struct ReferenceTests {
    @Test("SoftSort forward and backward match the reference", arguments: Backend.available, [1.0, 2.0, 0.7])
    func softSortMatchesReference(backend: Backend, power: Double) throws {
        var random = TestRandom(seed: 10)
        // 257: one batch row cut into 16 uneven row blocks (RowBlocks: none below 16 rows).
        for n in edgeSizes + [257] {
            let batch = n > 64 ? 1 : 2
            let scores = (0..<batch * n).map { _ in random.uniform() }
            let weights = (0..<batch * n * n).map { _ in random.uniform() }
            for tau in [1e-3, 0.1, 1, 10] {
                for direction in [SortDirection.descending, .ascending] {
                    let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                    let result = try op.forward(scores: scores, batch: batch, count: n, path: .dense).matrices()
                    let p = Reference.softSort(scores: scores, batch: batch, count: n, temperature: tau,
                                               power: power, direction: direction)
                    #expect(maxAbsDifference(result.values, p) <= 1e-13, "n \(n) tau \(tau)")
                    let grad = try result.backward(weights)
                    let expected = Reference.softSortBackward(
                        scores: scores, batch: batch, count: n, temperature: tau, power: power,
                        direction: direction, gradient: weights)
                    let scale = max(maxAbs(expected), 1) * Double(max(n, 1)) / min(tau, 1)
                    #expect(maxAbsDifference(grad, expected) <= 1e-14 * scale, "n \(n) tau \(tau)")
                }
            }
        }
    }

    @Test("NeuralSort forward and backward match its definition", arguments: Backend.available)
    func neuralSortMatchesReference(backend: Backend) throws {
        var random = TestRandom(seed: 11)
        for n in edgeSizes + [100] {
            let scores = (0..<2 * n).map { _ in random.uniform() }
            let weights = (0..<2 * n * n).map { _ in random.uniform() }
            for tau in [0.01, 1, 100] {
                for direction in [SortDirection.descending, .ascending] {
                    let result = try NeuralSort(temperature: tau, direction: direction, backend: backend)
                        .forward(scores: scores, batch: 2, count: n, path: .dense).matrices()
                    let p = Reference.neuralSort(scores: scores, batch: 2, count: n, temperature: tau, direction: direction)
                    // NeuralSort's logits reach 2 n max|s| / tau before they cancel in
                    // the softmax: an absolute error of eps times that is expected.
                    let logitScale = Double(2 * n) / tau
                    #expect(maxAbsDifference(result.values, p) <= 1e-13 + 1e-15 * logitScale, "n \(n) tau \(tau)")
                    let grad = try result.backward(weights)
                    let expected = Reference.neuralSortBackward(
                        scores: scores, batch: 2, count: n, temperature: tau, direction: direction, gradient: weights)
                    let scale = max(maxAbs(expected), 1) * Double(max(n * n, 1)) / min(tau, 1)
                    #expect(maxAbsDifference(grad, expected) <= 1e-14 * scale, "n \(n) tau \(tau)")
                }
            }
        }
    }

    /// `L = sum P W`; the gradient of `L` by central differences of the reference.
    static func finiteDifference(_ scores: [Double], step: Double, _ loss: ([Double]) -> Double) -> [Double] {
        scores.indices.map { k in
            var up = scores, down = scores
            up[k] += step
            down[k] -= step
            return (loss(up) - loss(down)) / (2 * step)
        }
    }

    @Test("backward against central finite differences (Double, no ties)", arguments: [1.0, 2.0, 1.5])
    func softSortFiniteDifferences(power: Double) throws {
        var random = TestRandom(seed: 12)
        for n in [2, 5, 9] {
            let scores = random.distinct(n, spread: 2)
            let weights = (0..<n * n).map { _ in random.uniform() }
            for tau in [0.3, 1.0] {
                let loss: ([Double]) -> Double = { s in
                    zip(Reference.softSort(scores: s, batch: 1, count: n, temperature: tau, power: power), weights)
                        .reduce(0) { $0 + $1.0 * $1.1 }
                }
                let numeric = Self.finiteDifference(scores, step: 1e-6, loss)
                for backend in Backend.available {
                    let grad = try SoftSort(temperature: tau, power: power, backend: backend)
                        .forward(scores: scores, batch: 1, count: n, path: .dense).matrices().backward(weights)
                    #expect(maxAbsDifference(grad, numeric) <= 1e-6 * max(1, maxAbs(numeric)), "n \(n) tau \(tau) \(backend)")
                }
            }
        }
    }

    @Test("NeuralSort backward against central finite differences")
    func neuralSortFiniteDifferences() throws {
        var random = TestRandom(seed: 13)
        for n in [2, 6, 9] {
            let scores = random.distinct(n, spread: 2)
            let weights = (0..<n * n).map { _ in random.uniform() }
            let loss: ([Double]) -> Double = { s in
                zip(Reference.neuralSort(scores: s, batch: 1, count: n, temperature: 0.5), weights)
                    .reduce(0) { $0 + $1.0 * $1.1 }
            }
            let numeric = Self.finiteDifference(scores, step: 1e-6, loss)
            for backend in Backend.available {
                let grad = try NeuralSort(temperature: 0.5, backend: backend)
                    .forward(scores: scores, batch: 1, count: n, path: .dense).matrices().backward(weights)
                #expect(maxAbsDifference(grad, numeric) <= 1e-6 * max(1, maxAbs(numeric)), "n \(n) \(backend)")
            }
        }
    }

    @Test("the Float path follows the Double path", arguments: Backend.available)
    func floatFollowsDouble(backend: Backend) throws {
        var random = TestRandom(seed: 14)
        for n in edgeSizes + [100] {
            let scores = (0..<2 * n).map { _ in Float(random.uniform()) }
            let weights = (0..<2 * n * n).map { _ in Float(random.uniform()) }
            for power in [1.0, 2.0] {
                let op = SoftSort(temperature: 0.1, power: power, backend: backend)
                let single = try op.forward(scores: scores, batch: 2, count: n, path: .dense)
                let double = try op.forward(scores: scores.map(Double.init), batch: 2, count: n, path: .dense)
                let singleMatrices = try single.matrices(), doubleMatrices = try double.matrices()
                #expect(maxAbsDifference(singleMatrices.values.map(Double.init), doubleMatrices.values) <= 2e-5)
                let g1 = try singleMatrices.backward(weights), g2 = try doubleMatrices.backward(weights.map(Double.init))
                #expect(maxAbsDifference(g1.map(Double.init), g2) <= 1e-4 * max(1, maxAbs(g2)) * Double(max(n, 1)))
                let v1 = try single.sortedValues().values, v2 = try double.sortedValues().values
                #expect(maxAbsDifference(v1.map(Double.init), v2) <= 1e-5)
            }
        }
    }
}
