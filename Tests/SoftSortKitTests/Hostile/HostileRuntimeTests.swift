#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SoftSortKit

/// Degenerate shapes, thread counts, concurrent callers and memory limits.
@Suite("Hostile inputs: shapes, threads, concurrency, memory")
struct HostileRuntimeTests {
    /// `(B, n)`: empty batches, empty rows, rows of 1 and 2.
    static let smallShapes = [(0, 0), (0, 3), (2, 0), (1, 1), (3, 1), (1, 2), (3, 2)]

    /// Every entry point runs on degenerate shapes; each output has its
    /// documented size (checked by the backward calls) and is finite.
    @Test("B = 0, n = 0, 1, 2: every entry point runs and every output is finite", arguments: smallShapes)
    func degenerateShapes(batch: Int, count: Int) throws {
        let scores: [Float] = EntryPoints.upstream(batch * count, seed: 21).map { $0 + 2 }  // positive: both score kinds
        let outputs = try EntryPoints(temperature: 0.5).outputs(scores, batch: batch, count: count)
        #expect(nonFinite(outputs).isEmpty, "\(nonFinite(outputs))")
        #expect(outputs.first { $0.0 == "SoftSort p=1.0 dense P" }?.1.count == batch * count * count)
    }

    /// Large enough that every loop runs on the scheduler's threads (B n^2 =
    /// 270 400 for the dense paths; B n = 32 768 for the exact and windowed).
    @Test("the same bits for 1, 2, 7 and 1000 threads on every entry point", arguments: Backend.available)
    func threadCounts(backend: Backend) throws {
        let dense: [Float] = EntryPoints.upstream(4 * 260, seed: 22)
        let rows: [Float] = EntryPoints.upstream(8 * 4096, seed: 23)
        let points = { (threads: Int) in EntryPoints(temperature: 0.3, threads: threads, backend: backend, powers: [1, 2]) }
        let one = try points(1).outputs(dense, batch: 4, count: 260)
        var scan = points(1)
        scan.matrices = false
        let scanOne = try scan.outputs(rows, batch: 8, count: 4096)
        for threads in [2, 7, 1000] {
            #expect(bitwiseDifferences(one, try points(threads).outputs(dense, batch: 4, count: 260)).isEmpty, "\(threads) threads")
            scan.threads = threads
            #expect(bitwiseDifferences(scanOne, try scan.outputs(rows, batch: 8, count: 4096)).isEmpty, "\(threads) threads")
        }
    }

    /// Operators are values and results hold their own buffers: 8 tasks
    /// running every entry point of one operator configuration at once get
    /// the bits of a serial call.
    @Test("8 concurrent tasks sharing one operator agree bitwise with a serial call")
    func concurrentCallers() async throws {
        let scores: [Float] = EntryPoints.upstream(3 * 96, seed: 24)
        let shared = EntryPoints(temperature: 0.2, threads: 2)
        let serial = try shared.outputs(scores, batch: 3, count: 96)
        let differences = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { bitwiseDifferences(serial, try shared.outputs(scores, batch: 3, count: 96)) }
            }
            var all: [String] = []
            for try await names in group { all += names }
            return all
        }
        #expect(differences.isEmpty, "\(differences)")
        // One result's backward from 8 tasks at once (no workspace: each allocates its own).
        let result = try SoftSort(temperature: 0.2).forward(scores: scores, batch: 3, count: 96, path: .dense).matrices()
        let g: [Float] = EntryPoints.upstream(3 * 96 * 96, seed: 25)
        let expected = try result.backward(g)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try result.backward(g).elementsEqual(expected, by: sameBits) } }
            for try await same in group { #expect(same) }
        }
    }

    /// A `P` that cannot fit is a typed error, not a fatal allocation failure.
    @Test("a B x n x n matrix larger than this machine: insufficientMemory naming the matrix-free paths")
    func matrixTooLarge() throws {
        let n = 1 << 20  // P alone: 4 TiB of Float
        let scores = [Float](repeating: 0.5, count: n)
        let cases: [(String, () throws -> Void)] = [
            ("SoftSort", { _ = try SoftSort().forward(scores: scores, batch: 1, count: n, path: .dense).matrices() }),
            ("NeuralSort", { _ = try NeuralSort().forward(scores: scores, batch: 1, count: n, path: .dense).matrices() }),
            ("stochastic", {
                _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: 3))
                    .forward(scores: scores, batch: 1, count: n, path: .dense).matrices()
            }),
            ("dense loss", {
                _ = try SoftSort(power: 2).forward(scores: scores, batch: 1, count: n, path: .dense)
                    .crossEntropy(targets: Array(0..<n))
            }),
        ]
        for (name, call) in cases {
            do {
                try call()
                Issue.record("\(name): no error")
            } catch let error as SoftSortError {
                guard case .insufficientMemory(let needed, let available, let alternative) = error else {
                    Issue.record("\(name): \(error)")
                    continue
                }
                #expect(needed >= 4 << 40 && available < needed, "\(name)")
                // SoftSort names its matrix-free paths; NeuralSort (dense only) its fused loss.
                let named = name == "NeuralSort" || name == "dense loss" ? ".fused" : ".exact"
                #expect(alternative.contains(named), "\(name): \(alternative)")
            }
        }
    }

    /// The check against given limits (the injectable form), and the current ones.
    @Test("MemoryBudget: needed and available bytes in the error; small requests unchecked; current limits sane")
    func budget() throws {
        #expect(throws: SoftSortError.insufficientMemory(bytesNeeded: 4000, bytesAvailable: 3999, alternative: "x")) {
            try MemoryBudget.require(1000, of: Float.self, alternative: "x", limits: MemoryLimits(available: 3999))
        }
        try MemoryBudget.require(1000, of: Float.self, alternative: "x", limits: MemoryLimits(available: 4000))
        #expect(throws: SoftSortError.insufficientMemory(bytesNeeded: Int.max, bytesAvailable: 1 << 40, alternative: "y")) {
            try MemoryBudget.require(Int.max / 2, of: Double.self, alternative: "y", limits: MemoryLimits(available: 1 << 40))
        }
        #expect(MemoryBudget.product(1 << 40, 1 << 30) == Int.max && MemoryBudget.sum(Int.max, 1) == Int.max)
        let current = MemoryLimits.current().available
        #expect(current > 0 && current <= (MemoryLimits.memAvailable() ?? Int.max))
        // Below 16 MiB nothing is read or checked, whatever the limits.
        try MemoryBudget.require(1 << 20, of: Float.self, alternative: "z")
    }

    /// The issue's case: an address-space limit (`ulimit -v`) smaller than
    /// `P`. The soft `RLIMIT_AS` is lowered to this process's size plus 6 GiB
    /// for the call and restored after it.
    @Test("under an address-space limit, n = 60 000 is insufficientMemory, not a crash")
    func addressSpaceLimit() throws {
        let n = 60_000  // P: 14.4 GB
        let outcome = Self.withAddressSpaceHeadroom(6 << 30) { () -> SoftSortError? in
            do throws(any Error) {
                _ = try SoftSort(power: 2).forward(scores: [Float](repeating: 0, count: n), batch: 1, count: n, path: .dense)
                    .matrices()
                return nil
            } catch let error as SoftSortError {
                return error
            } catch {
                return nil
            }
        }
        guard let outcome else { return }  // the limit could not be lowered: already tighter
        guard case .insufficientMemory(let needed, let available, _) = outcome else {
            Issue.record("expected insufficientMemory, got \(String(describing: outcome))")
            return
        }
        #expect(needed == n * n * 4 && available <= 6 << 30)
    }

    /// Runs `body` with the soft `RLIMIT_AS` at this process's virtual size
    /// plus `headroom` bytes, then restores it; `nil` when it cannot be lowered.
    static func withAddressSpaceHeadroom(_ headroom: Int, _ body: () -> SoftSortError?) -> SoftSortError?? {
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(UInt32(RLIMIT_AS.rawValue))
        var saved = rlimit()
        guard getrlimit(resource, &saved) == 0 else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let statm = CoreCount.readFile("/proc/self/statm")?.split(separator: " ").compactMap { Int($0) } ?? [0]
        let limit = UInt(statm[0] * page + headroom)
        guard limit < saved.rlim_cur else { return nil }
        var lowered = saved
        lowered.rlim_cur = limit
        guard setrlimit(resource, &lowered) == 0 else { return nil }
        let result = body()
        _ = setrlimit(resource, &saved)
        return .some(result)
        #else
        return nil
        #endif
    }
}
