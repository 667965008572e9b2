import Testing
@testable import SoftSortKit

/// The paper's Theorem 1 and Proposition 1, on every backend.
@Suite("SoftSort properties")
struct PropertyTests {
    @Test("rows are non-negative and sum to 1", arguments: Backend.available, [1.0, 2.0, 0.5])
    func rowStochastic(backend: Backend, power: Double) throws {
        var random = TestRandom(seed: 1)
        for n in edgeSizes + [64] {
            let scores = (0..<2 * n).map { _ in Float(random.uniform()) }
            for tau in [1e-3, 0.1, 1, 10] {
                let matrices = try SoftSort(temperature: tau, power: power, backend: backend)
                    .forward(scores: scores, batch: 2, count: n, path: .dense).matrices().values
                #expect(matrices.allSatisfy { $0 >= 0 })
                for row in 0..<2 * n {
                    let sum = matrices[row * n ..< (row + 1) * n].reduce(0, +)
                    #expect(abs(sum - 1) <= 4e-6 * Float(n).squareRoot() + 1e-6, "n \(n) tau \(tau) row \(row): \(sum)")
                }
            }
        }
    }

    @Test("row argmax is the argsort (no ties), both directions", arguments: Backend.available)
    func argmaxIsArgsort(backend: Backend) throws {
        var random = TestRandom(seed: 2)
        for trial in 0..<20 {
            let n = [2, 7, 9, 16, 33, 40][trial % 6]
            let scores = random.distinct(n, spread: 4)
            for tau in [1e-3, 0.05, 1, 100] {
                for direction in [SortDirection.descending, .ascending] {
                    for power in [1.0, 2.0] {
                        let result = try SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                            .forward(scores: scores, batch: 1, count: n, path: .dense)
                        let matrices = try result.matrices().values
                        let expected = Reference.order(scores, direction: direction)
                        #expect(result.permutation == expected)
                        for i in 0..<n {
                            let row = Array(matrices[i * n ..< (i + 1) * n])
                            #expect(row.indices.max { row[$0] < row[$1] } == expected[i], "tau \(tau) p \(power) row \(i)")
                        }
                    }
                }
            }
        }
    }

    @Test("as tau -> 0, P tends to the permutation matrix", arguments: Backend.available)
    func zeroTemperatureLimit(backend: Backend) throws {
        let scores: [Double] = [0.3, -1.2, 2.5, 0.31, 1.0]
        let hard = try SoftSort(backend: backend).forward(scores: scores, batch: 1, count: 5, path: .dense)
            .matrices(.straightThrough).values
        var previous = Double.infinity
        for tau in [1.0, 0.1, 0.01, 1e-3, 1e-4] {
            let soft = try SoftSort(temperature: tau, backend: backend)
                .forward(scores: scores, batch: 1, count: 5, path: .dense)
                .matrices().values
            let distance = maxAbsDifference(soft, hard)
            #expect(distance < previous)
            previous = distance
        }
        #expect(previous < 1e-20)
    }

    @Test("Proposition 1: permuting s permutes the columns of P", arguments: Backend.available)
    func permutationEquivariance(backend: Backend) throws {
        var random = TestRandom(seed: 3)
        let n = 11
        let scores = random.distinct(n)
        let shuffle = random.permutation(n)
        #expect(shuffle.sorted() == Array(0..<n) && shuffle != Array(0..<n), "a permutation that moves something")
        let permuted = shuffle.map { scores[$0] }
        for power in [1.0, 2.0, 1.5] {
            let op = SoftSort(temperature: 0.3, power: power, backend: backend)
            let p = try op.forward(scores: scores, batch: 1, count: n, path: .dense).matrices().values
            let q = try op.forward(scores: permuted, batch: 1, count: n, path: .dense).matrices().values
            for i in 0..<n {
                for j in 0..<n {
                    #expect(abs(q[i * n + j] - p[i * n + shuffle[j]]) <= 1e-15)
                }
            }
        }
    }

    @Test("ties: equal scores give equal columns and a stable permutation")
    func ties() throws {
        let scores: [Float] = [0.5, 2, 0.5, 2, -1]
        let result = try SoftSort(temperature: 0.5).forward(scores: scores, batch: 1, count: 5, path: .dense)
        let matrices = try result.matrices().values
        #expect(result.permutation == [1, 3, 0, 2, 4])
        for i in 0..<5 {
            #expect(matrices[i * 5 + 0] == matrices[i * 5 + 2])
            #expect(matrices[i * 5 + 1] == matrices[i * 5 + 3])
        }
    }
}
