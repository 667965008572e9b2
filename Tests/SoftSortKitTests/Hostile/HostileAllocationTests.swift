import Testing
@testable import SoftSortKit

/// A scratch allocation that fails inside a public call: the call throws
/// `insufficientMemory` with the bytes asked for, on the calling thread or a
/// scheduler worker, and nothing is left broken for the next call.
///
/// `ThreadScratch.failingRequest` makes requests of exactly one size fail;
/// the row length 1013 is used by no other test, so its size is this suite's.
@Suite("Hostile inputs: failed scratch allocations", .serialized)
struct HostileAllocationTests {
    static let count = 1013

    /// The bytes the sort of one row of `count` asks the scheduler for.
    static var sortBytes: Int { max(max(SortedRows.scratchWords(count: count), 1) * 8, 16) }

    /// Runs `body` with requests of `bytes` bytes failing.
    func failing<R>(_ bytes: Int, _ body: () throws -> R) rethrows -> R {
        ThreadScratch.failingRequest.store(bytes, ordering: .relaxed)
        defer { ThreadScratch.failingRequest.store(0, ordering: .relaxed) }
        return try body()
    }

    /// Checks that `call` throws `insufficientMemory` naming `bytes`.
    func expectInsufficient(_ bytes: Int, _ name: String, _ call: () throws -> Void) {
        do {
            try call()
            Issue.record("\(name): no error")
        } catch SoftSortError.insufficientMemory(let needed, _, _) {
            #expect(needed == bytes, "\(name): \(needed) bytes, expected \(bytes)")
        } catch {
            Issue.record("\(name): \(error)")
        }
    }

    @Test("argsort and every path's sort: insufficientMemory with the bytes asked for, one thread and two")
    func sortScratch() throws {
        var random = TestRandom(seed: 3)
        let batch = 64, n = Self.count
        let scores = (0..<(batch * n)).map { _ in Float(random.uniform()) }
        let bytes = Self.sortBytes, order = try argsort(scores, batch: batch, count: n)
        for threads in [1, 2] {
            failing(bytes) {
                expectInsufficient(bytes, "argsort, \(threads) threads") {
                    _ = try argsort(scores, batch: batch, count: n, threads: threads)
                }
                for (name, power, path) in [("exact", 1.0, SoftSortPath.exact), ("window", 1, .window(.ranks(2))),
                                            ("fused loss", 2, .fused)] {
                    expectInsufficient(bytes, "\(name), \(threads) threads") {
                        let result = try SoftSort(power: power, threads: threads)
                            .forward(scores: scores, batch: batch, count: n, path: path)
                        if path == .fused {
                            _ = try result.crossEntropy(targets: order)
                        } else {
                            _ = try result.sortedValues()
                        }
                    }
                }
            }
            // `permutation` cannot throw: it sorts without the scratch instead.
            failing(bytes) {
                let result = try? SoftSort(threads: threads).forward(scores: scores, batch: batch, count: n)
                #expect(result?.permutation == order, "permutation, \(threads) threads")
            }
            // Nothing is left broken: the same calls succeed and agree with a
            // fresh one-thread run.
            #expect(try argsort(scores, batch: batch, count: n, threads: threads) == argsort(scores, batch: batch, count: n))
            let values = try SoftSort(threads: threads).forward(scores: scores, batch: batch, count: n, path: .exact)
                .sortedValues().values
            let reference = try SoftSort(threads: 1).forward(scores: scores, batch: batch, count: n, path: .exact)
                .sortedValues().values
            #expect(values == reference)
        }
    }

    @Test("a workspace's kept row scratch: insufficientMemory with the bytes asked for, the workspace still usable")
    func keptScratch() throws {
        let slots = 3, words = Self.count
        let bytes = slots * 64 * ((words + 7) / 8)
        let scratch = RowScratch()
        failing(bytes) {
            expectInsufficient(bytes, "RowScratch.reserve") {
                try AllocationFailures.checking { () throws(SoftSortError) in
                    #expect(scratch.reserve(slots: slots, words: words) == nil)
                }
            }
        }
        #expect(scratch.reserve(slots: slots, words: words) != nil)
        #expect(scratch.capacity == bytes)
    }

    @Test("an impossible scratch size is a failure, not an overflow trap")
    func overflowingSize() {
        expectInsufficient(Int.max, "ThreadScratch Int.max elements") {
            try AllocationFailures.checking { () throws(SoftSortError) in
                #expect(ThreadScratch.with(count: Int.max, stride: 8) { _ in 1 } == nil)
            }
        }
    }
}
