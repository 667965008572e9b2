import Foundation
import Testing
@testable import SoftSortKit

@Suite("Batch scheduler")
struct SchedulerTests {
    /// Large enough to pass the serial threshold (B n^2 = 270000 > 2^18).
    static let batch = 3, count = 300

    @Test("bitwise identical results for 1, 2, 3 and 8 threads", arguments: Backend.available)
    func deterministic(backend: Backend) throws {
        let n = Self.count, batch = Self.batch
        #expect(batch * n * n >= BatchScheduler.serialThreshold)
        var random = TestRandom(seed: 30)
        let scores = (0..<batch * n).map { _ in Float(random.uniform()) }
        let weights = (0..<batch * n * n).map { _ in Float(random.uniform()) }
        for power in [1.0, 2.0] {
            var baseline: ([Float], [Float])?
            for threads in [1, 2, 3, 8] {
                let result = try SoftSort(temperature: 0.2, power: power, backend: backend, threads: threads)
                    .forward(scores: scores, batch: batch, count: n, path: .dense).matrices()
                #expect(result.threads == threads)
                let outputs = (result.values, try result.backward(weights))
                if let baseline {
                    #expect(outputs.0 == baseline.0, "forward differs at \(threads) threads")
                    #expect(outputs.1 == baseline.1, "backward differs at \(threads) threads")
                } else {
                    baseline = outputs
                }
            }
        }
        var neural: ([Float], [Float])?
        for threads in [1, 2, 3, 8] {
            let result = try NeuralSort(temperature: 1, backend: backend, threads: threads)
                .forward(scores: scores, batch: batch, count: n, path: .dense).matrices()
            let outputs = (result.values, try result.backward(weights))
            if let neural {
                #expect(outputs.0 == neural.0 && outputs.1 == neural.1, "NeuralSort differs at \(threads) threads")
            } else {
                neural = outputs
            }
        }
    }

    @Test("the fused apply: bitwise identical for 1, 2, 3 and 8 threads", arguments: Backend.available)
    func applyDeterministic(backend: Backend) throws {
        let batch = 2, n = 260, d = 2
        #expect(batch * n * n * d >= BatchScheduler.serialThreshold)
        var random = TestRandom(seed: 33)
        let scores = (0..<batch * n).map { _ in Float(random.uniform()) }
        let values = (0..<batch * n * d).map { _ in Float(random.uniform()) }
        let upstream = (0..<batch * n * d).map { _ in Float(random.uniform()) }
        for power in [1.0, 2.0] {
            var baseline: ([Float], [Float], [Float])?
            for threads in [1, 2, 3, 8] {
                let product = try SoftSort(temperature: 0.2, power: power, backend: backend, threads: threads)
                    .forward(scores: scores, batch: batch, count: n, path: .fused).apply(to: values, dimension: d)
                #expect(product.threads == threads)
                let gradient = try product.backward(upstream)
                let outputs = (product.values, gradient.scores, gradient.values)
                if let baseline {
                    #expect(outputs.0 == baseline.0 && outputs.1 == baseline.1 && outputs.2 == baseline.2,
                            "p \(power): apply differs at \(threads) threads")
                } else {
                    baseline = outputs
                }
            }
        }
    }

    @Test("the parallel path agrees with the reference")
    func parallelMatchesReference() throws {
        let n = Self.count, batch = Self.batch
        var random = TestRandom(seed: 31)
        let scores = (0..<batch * n).map { _ in random.uniform() }
        let weights = (0..<batch * n * n).map { _ in random.uniform() }
        let result = try SoftSort(temperature: 0.3, power: 2, threads: 4)
            .forward(scores: scores, batch: batch, count: n, path: .dense).matrices()
        let p = Reference.softSort(scores: scores, batch: batch, count: n, temperature: 0.3, power: 2)
        #expect(maxAbsDifference(result.values, p) <= 1e-13)
        let grad = try result.backward(weights)
        let expected = Reference.softSortBackward(
            scores: scores, batch: batch, count: n, temperature: 0.3, power: 2, gradient: weights)
        #expect(maxAbsDifference(grad, expected) <= 1e-11 * max(1, maxAbs(expected)))
    }

    /// (Whether a second thread joins depends on Dispatch: the tests themselves
    /// run on its worker threads, so here it may run every chunk inline.
    /// `simd-bench scaling` shows the threads at work.)
    @Test("every item runs exactly once, whatever the thread count", arguments: [1, 2, 3, 4, 8])
    func coversItemsOnce(threads: Int) {
        for items in [1, 2, 5, 37, 200] {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: items)
            defer { counts.deallocate() }
            counts.initialize(repeating: 0)
            let box = UnsafeTransfer(counts)
            BatchScheduler(threads: threads).forEach(items: items, work: 1 << 20) { range in
                for item in range { box.value[item] += 1 }
            }
            #expect(counts.allSatisfy { $0 == 1 }, "\(items) items, \(threads) threads")
        }
    }

    @Test("row blocks cover every row once and do not depend on threads")
    func rowBlocks() {
        for (batch, n) in [(1, 0), (1, 5), (20, 4000), (1, 100_000), (3, 120), (64, 64)] {
            let blocks = RowBlocks(batch: batch, count: n)
            var seen = [Int](repeating: 0, count: batch * n)
            for item in 0..<blocks.items {
                let (b, _, rows) = blocks.item(item)
                for i in rows { seen[b * n + i] += 1 }
            }
            #expect(seen.allSatisfy { $0 == 1 })
        }
    }

    @Test("thread counts: positive, from the API, never below 1")
    func threadCounts() {
        #expect(Parallelism.defaultThreadCount >= 1)
        #expect(Parallelism.availableCores >= 1)
        #expect(throws: SoftSortError.invalidThreadCount(0)) {
            try SoftSort(threads: 0).forward(scores: [Float](arrayLiteral: 1, 2), batch: 1, count: 2)
        }
    }

    @Test("one result without a workspace runs backwards on several threads at once")
    func concurrentBackwards() throws {
        var random = TestRandom(seed: 34)
        let n = 64
        let scores = (0..<2 * n).map { _ in Float(random.uniform()) }
        let gradients = (0..<4).map { _ in (0..<2 * n * n).map { _ in Float(random.uniform()) } }
        let result = try SoftSort(temperature: 0.3, threads: 1)
            .forward(scores: scores, batch: 2, count: n, path: .dense)
            .matrices()
        let expected = try gradients.map { try result.backward($0) }
        let outputs = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: 4)
        defer { outputs.deallocate() }
        outputs.initialize(repeating: [])
        let box = UnsafeTransfer(outputs)
        DispatchQueue.concurrentPerform(iterations: 4) { k in
            for _ in 0..<5 { box.value[k] = try! result.backward(gradients[k]) }
        }
        #expect(Array(outputs) == expected)
    }

    @Test("a reused workspace gives the same results")
    func workspaceReuse() throws {
        let workspace = Workspace<Double>()
        var random = TestRandom(seed: 32)
        for n in [5, 9, 9, 3] {
            let scores = (0..<2 * n).map { _ in random.uniform() }
            let weights = (0..<2 * n * n).map { _ in random.uniform() }
            for op in [SoftSort(temperature: 0.5, power: 1), SoftSort(temperature: 0.5, power: 2)] {
                let fresh = try op.forward(scores: scores, batch: 2, count: n, path: .dense).matrices()
                let expectedMatrices = fresh.values, expectedGradient = try fresh.backward(weights)
                let reused = try op.forward(scores: scores, batch: 2, count: n, path: .dense, workspace: workspace)
                    .matrices()
                #expect(reused.values == expectedMatrices)
                #expect(try reused.backward(weights) == expectedGradient)
            }
            let neural = try NeuralSort(temperature: 2)
                .forward(scores: scores, batch: 2, count: n, path: .dense, workspace: workspace).matrices()
            let neuralFresh = try NeuralSort(temperature: 2).forward(scores: scores, batch: 2, count: n, path: .dense)
            #expect(try neural.values == neuralFresh.matrices().values)
        }
        // A result kept alive across the next call keeps its own values (copy on write).
        let first = try SoftSort()
            .forward(scores: [1.0, 2.0, 3.0], batch: 1, count: 3, path: .dense, workspace: workspace)
            .matrices()
        let firstMatrices = first.values
        _ = try SoftSort().forward(scores: [9.0, -2.0, 3.0], batch: 1, count: 3, path: .dense, workspace: workspace)
            .matrices()
        #expect(first.values == firstMatrices)
    }
}
