import Testing
@testable import SoftSortKit

@Suite("Public API behaviour")
struct APITests {
    @Test("n = 0 and n = 1 work", arguments: Backend.available)
    func tinySizes(backend: Backend) throws {
        let empty = try SoftSort(backend: backend).forward(scores: [Float](), batch: 3, count: 0, path: .dense)
        let emptyMatrices = try empty.matrices()
        #expect(emptyMatrices.values.isEmpty && empty.permutation.isEmpty)
        #expect(try emptyMatrices.backward([]).isEmpty)
        let noRows = try NeuralSort(backend: backend).forward(scores: [Double](), batch: 0, count: 5, path: .dense)
        #expect(try noRows.matrices().values.isEmpty)
        let single = try SoftSort(temperature: 1e-3, backend: backend)
            .forward(scores: [Float](arrayLiteral: 4, -2), batch: 2, count: 1, path: .dense)
        let singleMatrices = try single.matrices()
        #expect(singleMatrices.values == [1, 1])
        #expect(single.permutation == [0, 0])
        #expect(try singleMatrices.backward([3, -5]) == [0, 0])
        #expect(try single.sortedValues().values == [4, -2])
    }

    @Test("straight-through: one-hot forward, soft backward", arguments: Backend.available)
    func straightThrough(backend: Backend) throws {
        var random = TestRandom(seed: 20)
        let n = 9
        let scores = (0..<2 * n).map { _ in random.uniform() }
        let weights = (0..<2 * n * n).map { _ in random.uniform() }
        for op in [SoftSort(temperature: 0.5, backend: backend)] {
            let result = try op.forward(scores: scores, batch: 2, count: n, path: .dense)
            let hard = try result.matrices(.straightThrough)
            let soft = try result.matrices()
            #expect(hard.mode == .straightThrough && soft.mode == .soft)
            for r in 0..<2 * n {
                let row = hard.values[r * n ..< (r + 1) * n]
                #expect(row.filter { $0 == 1 }.count == 1 && row.filter { $0 == 0 }.count == n - 1)
                #expect(row[row.startIndex + result.permutation[r]] == 1)
            }
            #expect(try hard.backward(weights) == soft.backward(weights))
            // The hard sorted values are the sorted scores exactly: P_hard s.
            let sorted = (0..<2).flatMap { b in result.permutation[b * n ..< (b + 1) * n].map { scores[b * n + $0] } }
            var hardSorted = [Double](repeating: 0, count: 2 * n)
            for b in 0..<2 {
                for i in 0..<n {
                    for j in 0..<n { hardSorted[b * n + i] += hard.values[(b * n + i) * n + j] * scores[b * n + j] }
                }
            }
            #expect(hardSorted == sorted)
        }
    }

    @Test("backward of P s against finite differences")
    func sortedValuesBackward() throws {
        var random = TestRandom(seed: 21)
        let n = 7
        let scores = random.distinct(n, spread: 3)
        let upstream = (0..<n).map { _ in random.uniform() }
        let op = SoftSort(temperature: 0.4, power: 2)
        let grad = try op.forward(scores: scores, batch: 1, count: n, path: .dense).sortedValues().backward(upstream)
        let numeric = ReferenceTests.finiteDifference(scores, step: 1e-6) { s in
            let p = Reference.softSort(scores: s, batch: 1, count: n, temperature: 0.4, power: 2)
            var total = 0.0
            for i in 0..<n {
                for j in 0..<n { total += upstream[i] * p[i * n + j] * s[j] }
            }
            return total
        }
        #expect(maxAbsDifference(grad, numeric) <= 1e-6)
    }

    @Test("argsort is stable and follows the direction")
    func hardArgsort() throws {
        let scores: [Double] = [1, 3, 3, -2, 1]
        #expect(try argsort(scores, batch: 1, count: 5) == [1, 2, 0, 4, 3])
        #expect(try argsort(scores, batch: 1, count: 5, direction: .ascending) == [3, 0, 4, 1, 2])
    }

    @Test("stochastic samples are reproducible, differ across seeds, and sum their gradients")
    func stochastic() throws {
        let scores: [Double] = [0.5, 1.5, 2.5, 0.1, 3.0, 0.7]
        let op = SoftSort(temperature: 0.5, perturbation: GumbelPerturbation(samplesPerRow: 3, seed: 7))
        let a = try op.forward(scores: scores, batch: 2, count: 3, path: .dense)
        let b = try op.forward(scores: scores, batch: 2, count: 3, path: .dense)
        let aMatrices = try a.matrices()
        #expect(try a.scores == b.scores && aMatrices.values == b.matrices().values)
        #expect(a.batch == 6 && aMatrices.batch == 6)
        var other = op
        other.perturbation?.seed = 8
        #expect(try other.forward(scores: scores, batch: 2, count: 3).scores != a.scores)
        // The noise is keyed by (seed, batch row index, sample index): row 1's
        // scores moved to position 0 get position 0's noise, so their samples
        // change...
        let alone = try op.forward(scores: Array(scores[3...]), batch: 1, count: 3)
        #expect(alone.scores != Array(a.scores[9...]))
        // ...to those of any scores at position 0 with the same seed: in a batch
        // with rows 0 and 1 swapped, row 0's samples are `alone`'s, bitwise...
        let swapped = try op.forward(scores: Array(scores[3...] + scores[..<3]), batch: 2, count: 3)
        #expect(Array(swapped.scores[..<9]) == alone.scores)
        // ...and the noise at each position does not depend on the scores.
        for position in 0..<2 {
            for e in 0..<9 {
                let k = position * 9 + e, j = e % 3
                let noise = a.scores[k] - scores[position * 3 + j]
                let swappedNoise = swapped.scores[k] - scores[(1 - position) * 3 + j]
                #expect(abs(noise - swappedNoise) <= 1e-14, "position \(position) entry \(e)")
            }
        }
        // The same seed and layout give the same samples, bitwise, on every thread count.
        for threads in [1, 2, 3, 8] {
            var threaded = op
            threaded.threads = threads
            let t = try threaded.forward(scores: scores, batch: 2, count: 3, path: .dense)
            #expect(try t.scores == a.scores && t.matrices().values == aMatrices.values, "\(threads) threads")
        }
        // The noise is Gumbel(0, 1): its mean over many draws is near the Euler-Mascheroni constant.
        let many = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: 2000, seed: 1))
            .forward(scores: [0.0, 0.0], batch: 1, count: 2)
        let mean = many.scores.reduce(0, +) / Double(many.scores.count)
        #expect(abs(mean - 0.5772) < 0.05)
        // The backward sums the samples' gradients: each sample's gradient is
        // that of the unperturbed operator on the perturbed rows.
        let weights = (0..<6 * 9).map { Double($0 % 5) - 2 }
        let perSample = try SoftSort(temperature: 0.5).forward(scores: a.scores, batch: 6, count: 3, path: .dense)
            .matrices().backward(weights)
        let summed = try aMatrices.backward(weights)
        #expect(summed.count == 6)
        for j in 0..<3 {
            #expect(abs(summed[3 + j] - (perSample[9 + j] + perSample[12 + j] + perSample[15 + j])) < 1e-12)
        }
    }

    @Test("positive scores: the backward chains through log")
    func stochasticPositive() throws {
        let scores: [Double] = [0.5, 1.5, 2.5]
        let op = SoftSort(
            temperature: 0.5, perturbation: GumbelPerturbation(samplesPerRow: 2, scoreKind: .positive, seed: 3))
        let weights = (0..<2 * 9).map { Double($0 % 3) - 1 }
        let grad = try op.forward(scores: scores, batch: 1, count: 3, path: .dense).matrices().backward(weights)
        let numeric = ReferenceTests.finiteDifference(scores, step: 1e-6) { s in
            let r = try! op.forward(scores: s, batch: 1, count: 3, path: .dense).matrices()
            return zip(r.values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        #expect(maxAbsDifference(grad, numeric) <= 1e-6)
    }

    @Test("the result names the backend that ran", arguments: Backend.available)
    func backendReported(backend: Backend) throws {
        let result = try SoftSort(backend: backend).forward(scores: [Double](arrayLiteral: 1, 2), batch: 1, count: 2, path: .dense)
        // Double has no AVX2 kernels: it runs the simd ones and says so.
        #expect(try result.matrices().backend == (backend == .avx2 ? .simd : backend))
    }
}
