import Testing
@testable import SoftSortKit

@Suite("Public API behaviour")
struct APITests {
    @Test("n = 0 and n = 1 work", arguments: Backend.available)
    func tinySizes(backend: Backend) throws {
        let empty = try SoftSort(backend: backend).forward(scores: [Float](), batch: 3, count: 0)
        #expect(empty.matrices.isEmpty && empty.permutation.isEmpty)
        #expect(try empty.backward([]).isEmpty)
        let noRows = try NeuralSort(backend: backend).forward(scores: [Double](), batch: 0, count: 5)
        #expect(noRows.matrices.isEmpty)
        let single = try SoftSort(temperature: 1e-3, backend: backend).forward(scores: [Float](arrayLiteral: 4, -2), batch: 2, count: 1)
        #expect(single.matrices == [1, 1])
        #expect(single.permutation == [0, 0])
        #expect(try single.backward([3, -5]) == [0, 0])
        #expect(single.sortedValues().values == [4, -2])
    }

    @Test("straight-through: one-hot forward, soft backward", arguments: Backend.available)
    func straightThrough(backend: Backend) throws {
        var random = TestRandom(seed: 20)
        let n = 9
        let scores = (0..<2 * n).map { _ in random.uniform() }
        let weights = (0..<2 * n * n).map { _ in random.uniform() }
        for op in [SoftSort(temperature: 0.5, backend: backend)] {
            let hard = try op.forward(scores: scores, batch: 2, count: n, mode: .straightThrough)
            let soft = try op.forward(scores: scores, batch: 2, count: n)
            #expect(hard.mode == .straightThrough)
            for r in 0..<2 * n {
                let row = hard.matrices[r * n ..< (r + 1) * n]
                #expect(row.filter { $0 == 1 }.count == 1 && row.filter { $0 == 0 }.count == n - 1)
                #expect(row[row.startIndex + hard.permutation[r]] == 1)
            }
            #expect(try hard.backward(weights) == soft.backward(weights))
            // The hard sorted values are the sorted scores exactly.
            let sorted = (0..<2).flatMap { b in hard.permutation[b * n ..< (b + 1) * n].map { scores[b * n + $0] } }
            #expect(hard.sortedValues().values == sorted)
        }
    }

    @Test("backward of P s against finite differences")
    func sortedValuesBackward() throws {
        var random = TestRandom(seed: 21)
        let n = 7
        let scores = random.distinct(n, spread: 3)
        let upstream = (0..<n).map { _ in random.uniform() }
        let op = SoftSort(temperature: 0.4, power: 2)
        let grad = try op.forward(scores: scores, batch: 1, count: n).sortedValues().backward(upstream)
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
        let op = StochasticSoftSort(base: SoftSort(temperature: 0.5), samplesPerRow: 3, seed: 7)
        let a = try op.forward(scores: scores, batch: 2, count: 3)
        let b = try op.forward(scores: scores, batch: 2, count: 3)
        #expect(a.perturbedScores == b.perturbedScores && a.relaxed.matrices == b.relaxed.matrices)
        #expect(a.relaxed.batch == 6)
        var other = op
        other.seed = 8
        #expect(try other.forward(scores: scores, batch: 2, count: 3).perturbedScores != a.perturbedScores)
        // The noise is keyed by (seed, batch row index, sample index): row 1's
        // scores moved to position 0 get position 0's noise, so their samples
        // change...
        let alone = try op.forward(scores: Array(scores[3...]), batch: 1, count: 3)
        #expect(alone.perturbedScores != Array(a.perturbedScores[9...]))
        // ...to those of any scores at position 0 with the same seed: in a batch
        // with rows 0 and 1 swapped, row 0's samples are `alone`'s, bitwise...
        let swapped = try op.forward(scores: Array(scores[3...] + scores[..<3]), batch: 2, count: 3)
        #expect(Array(swapped.perturbedScores[..<9]) == alone.perturbedScores)
        // ...and the noise at each position does not depend on the scores.
        for position in 0..<2 {
            for e in 0..<9 {
                let k = position * 9 + e, j = e % 3
                let noise = a.perturbedScores[k] - scores[position * 3 + j]
                let swappedNoise = swapped.perturbedScores[k] - scores[(1 - position) * 3 + j]
                #expect(abs(noise - swappedNoise) <= 1e-14, "position \(position) entry \(e)")
            }
        }
        // The same seed and layout give the same samples, bitwise, on every thread count.
        for threads in [1, 2, 3, 8] {
            var threaded = op
            threaded.base.threads = threads
            let t = try threaded.forward(scores: scores, batch: 2, count: 3)
            #expect(t.perturbedScores == a.perturbedScores && t.relaxed.matrices == a.relaxed.matrices, "\(threads) threads")
        }
        // The noise is Gumbel(0, 1): its mean over many draws is near the Euler-Mascheroni constant.
        let many = try StochasticSoftSort(samplesPerRow: 2000, seed: 1).forward(scores: [0.0, 0.0], batch: 1, count: 2)
        let mean = many.perturbedScores.reduce(0, +) / Double(many.perturbedScores.count)
        #expect(abs(mean - 0.5772) < 0.05)
        // The backward sums the samples' gradients.
        let weights = (0..<6 * 9).map { Double($0 % 5) - 2 }
        let perSample = try a.relaxed.backward(weights)
        let summed = try a.backward(weights)
        for j in 0..<3 {
            #expect(abs(summed[3 + j] - (perSample[9 + j] + perSample[12 + j] + perSample[15 + j])) < 1e-12)
        }
    }

    @Test("positive scores: the backward chains through log")
    func stochasticPositive() throws {
        let scores: [Double] = [0.5, 1.5, 2.5]
        let op = StochasticSoftSort(base: SoftSort(temperature: 0.5), samplesPerRow: 2, scoreKind: .positive, seed: 3)
        let weights = (0..<2 * 9).map { Double($0 % 3) - 1 }
        let grad = try op.forward(scores: scores, batch: 1, count: 3).backward(weights)
        let numeric = ReferenceTests.finiteDifference(scores, step: 1e-6) { s in
            let r = try! op.forward(scores: s, batch: 1, count: 3)
            return zip(r.relaxed.matrices, weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        #expect(maxAbsDifference(grad, numeric) <= 1e-6)
    }

    @Test("the result names the backend that ran", arguments: Backend.available)
    func backendReported(backend: Backend) throws {
        let result = try SoftSort(backend: backend).forward(scores: [Double](arrayLiteral: 1, 2), batch: 1, count: 2)
        // Double has no AVX2 kernels: it runs the simd ones and says so.
        #expect(result.backend == (backend == .avx2 ? .simd : backend))
    }
}
