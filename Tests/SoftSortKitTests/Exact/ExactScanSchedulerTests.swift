import Foundation
import Testing
@testable import SoftSortKit

/// The exact `p = 1` scan path on the batch scheduler: every operation gives
/// the same bits for every thread count.
@Suite("Exact p = 1 scans on the scheduler")
struct ExactScanSchedulerTests {
    /// 11 rows: full SIMD blocks (8 Float lanes, 4 Double lanes) and single
    /// rows; 16 x 11 x 1600 = 281600 estimated element-operations, above the
    /// serial threshold, so 2, 3 and 8 threads cut the blocks into chunks.
    static let batch = 11, count = 1600
    static let threadCounts = [1, 2, 3, 8]

    /// Every operation's outputs, by name (losses as one-element arrays).
    static func outputs<T: SoftSortScalar>(
        _: T.Type, threads: Int, direction: SortDirection
    ) throws -> [(name: String, values: [T])] {
        let batch = Self.batch, n = Self.count, d = 3
        var random = TestRandom(seed: 0x5CED)
        let scores = (0..<batch).flatMap { _ in random.distinct(n, spread: 2).map { T($0) } }
        let values = (0..<batch * n * d).map { _ in T(random.uniform()) }
        let rowGradient = (0..<batch * n * d).map { _ in T(random.uniform()) }
        let columnGradient = (0..<batch * n).map { _ in T(random.uniform()) }
        let targets = (0..<batch * n).map { _ in Int(random.next() % UInt64(n)) }
        let identity = (0..<batch * n).map { $0 % n }
        let matches = (0..<batch * n).map { _ in T(random.next() % 2) }

        let exact = try SoftSort(temperature: 0.05, power: 1, direction: direction, threads: threads)
            .forward(scores: scores, batch: batch, count: n, path: .exact)
        #expect(exact.threads == threads)
        var result: [(name: String, values: [T])] = []
        result.append(("permutation", exact.permutation.map { T($0) }))
        result.append(("logNormalizers", try exact.logNormalizers()))
        result.append(("apply d = 3", try exact.apply(to: values, dimension: d).values))
        result.append(("sortedValues", try exact.sortedValues().values))
        let back = try exact.apply(to: values, dimension: d).backward(rowGradient)
        result.append(("backwardOfApply scores", back.scores))
        result.append(("backwardOfApply values", back.values))
        result.append(("backwardOfSortedValues", try exact.sortedValues().backward(columnGradient)))
        result.append(("applyTransposed d = 3", try exact.applyTransposed(to: rowGradient, dimension: d).values))
        result.append(("ranks", try exact.ranks().values))
        let backT = try exact.applyTransposed(to: rowGradient, dimension: d).backward(values)
        result.append(("backwardOfApplyTransposed scores", backT.scores))
        result.append(("backwardOfApplyTransposed values", backT.values))
        result.append(("backwardOfRanks", try exact.ranks().backward(columnGradient)))
        for (name, t) in [("identity", identity), ("random", targets)] {
            let ce = try exact.crossEntropy(targets: t)
            result.append(("crossEntropy \(name) loss", [ce.value]))
            result.append(("crossEntropy \(name) gradient", ce.gradient))
        }
        let knn = try exact.nearestNeighborLoss(matches: matches, k: 7)
        result.append(("kNN loss", [knn.value]))
        result.append(("kNN gradient", knn.gradient))
        result.append(("topK", try exact.topK(5, of: values, dimension: d).values))
        let topGradient = (0..<batch * 5 * d).map { T($0 % 7) - 3 }
        result.append(("backwardOfTopK scores",
                       try exact.topK(5, of: values, dimension: d).backward(topGradient).scores))
        result.append(("quantile", try exact.quantiles([0.3], of: values, dimension: d).values))
        let quantileGradient = (0..<batch * d).map { T($0 % 5) - 2 }
        result.append(("backwardOfQuantile scores",
                       try exact.quantiles([0.3], of: values, dimension: d).backward(quantileGradient).scores))
        return result
    }

    static func checkDeterministic<T: SoftSortScalar>(_ type: T.Type) throws {
        #expect(ExactEngine.work(BatchShape(batch: batch, count: count)) >= BatchScheduler.serialThreshold)
        for direction in [SortDirection.descending, .ascending] {
            let baseline = try outputs(type, threads: 1, direction: direction)
            for threads in threadCounts.dropFirst() {
                let other = try outputs(type, threads: threads, direction: direction)
                #expect(other.count == baseline.count)
                for (a, b) in zip(baseline, other) {
                    #expect(a.values.allSatisfy { $0.isFinite }, "\(a.name) not finite")
                    // Bitwise for finite values: equal, and the same sign (-0 is not +0).
                    #expect(a.values.elementsEqual(b.values) { $0 == $1 && $0.sign == $1.sign },
                            "\(T.self) \(a.name) differs at \(threads) threads (\(direction))")
                }
            }
        }
    }

    @Test("Float: bitwise identical results for 1, 2, 3 and 8 threads, every operation")
    func deterministicFloat() throws { try Self.checkDeterministic(Float.self) }

    @Test("Double: bitwise identical results for 1, 2, 3 and 8 threads, every operation")
    func deterministicDouble() throws { try Self.checkDeterministic(Double.self) }

    /// A batch of one long row: its radix sort runs in parts on the idle
    /// threads (`BatchScheduler.helpers(forItems:)`); the `.exact` and
    /// `.gauss` losses and their gradients are the same bits on 1 and 2
    /// threads, with and without a workspace.
    @Test("one row of 2^19 scores: the exact and gauss losses are bitwise identical on 1 and 2 threads")
    func longRowLossesOnTwoThreads() throws {
        let n = RadixArgsort.msdMinimumCount
        var random = TestRandom(seed: 0x10C5)
        let scores = (0..<n).map { _ in Float(random.uniform()) }
        let targets = (0..<n).map { _ in Int(random.next() % UInt64(n)) }
        for (power, path) in [(1.0, SoftSortPath.exact), (2.0, SoftSortPath.gauss)] {
            func loss(threads: Int, workspace: Workspace<Float>?) throws -> (Float, [Float]) {
                let l = try SoftSort(temperature: 1e-3, power: power, threads: threads)
                    .forward(scores: scores, batch: 1, count: n, path: path, workspace: workspace)
                    .crossEntropy(targets: targets)
                #expect(l.path == path)
                return (l.value, l.gradient)
            }
            let (value, gradient) = try loss(threads: 1, workspace: nil)
            #expect(value.isFinite && gradient.allSatisfy { $0.isFinite })
            for workspace in [nil, Workspace<Float>()] {
                let (other, otherGradient) = try loss(threads: 2, workspace: workspace)
                #expect(other == value, "\(path) loss differs on 2 threads")
                #expect(otherGradient.elementsEqual(gradient) { $0 == $1 && $0.sign == $1.sign },
                        "\(path) gradient differs on 2 threads")
            }
        }
    }

    @Test("the parallel scans agree with the dense reference")
    func parallelMatchesReference() throws {
        let batch = Self.batch, n = Self.count
        var random = TestRandom(seed: 0x5CEE)
        let scores = (0..<batch).flatMap { _ in random.distinct(n, spread: 2) }
        let exact = try SoftSort(temperature: 0.2, power: 1, threads: 3).forward(scores: scores, batch: batch, count: n, path: .exact)
        let p = Reference.softSort(scores: scores, batch: batch, count: n, temperature: 0.2, power: 1)
        var expected = [Double](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for i in 0..<n {
                for j in 0..<n { expected[b * n + i] += p[(b * n + i) * n + j] * scores[b * n + j] }
            }
        }
        #expect(try maxAbsDifference(exact.sortedValues().values, expected) <= 1e-12)
    }

    @Test("threads: nil is the default count; below 1 is rejected")
    func threadCounts() throws {
        let scores: [Float] = [0.5, -1, 2]
        #expect(try SoftSort(power: 1).forward(scores: scores, batch: 1, count: 3, path: .exact).threads
                == Parallelism.defaultThreadCount)
        #expect(SoftSort(power: 1, threads: 4).threads == 4)
        for bad in [0, -1] {
            #expect(throws: SoftSortError.invalidThreadCount(bad)) {
                try SoftSort(power: 1, threads: bad).forward(scores: scores, batch: 1, count: 3, path: .exact)
            }
        }
        // An empty batch still checks the thread count, and runs with any valid one.
        #expect(throws: SoftSortError.invalidThreadCount(0)) {
            try SoftSort(power: 1, threads: 0).forward(scores: [Double](), batch: 0, count: 5, path: .exact)
        }
        let empty = try SoftSort(power: 1, threads: 8).forward(scores: [Double](), batch: 0, count: 5, path: .exact)
        let emptyLoss = try empty.crossEntropy(targets: [])
        #expect(try empty.sortedValues().values.isEmpty && emptyLoss.value == 0 && emptyLoss.gradient.isEmpty)
    }
}
