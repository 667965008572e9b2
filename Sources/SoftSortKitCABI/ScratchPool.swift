import Dispatch
import SoftSortKit
import Synchronization

/// The library's workspaces kept between calls, so that a training loop
/// calling the ABI allocates less in the steady state: each call takes one
/// (a fresh one when all are in use by other threads) and gives it back
/// after its outputs were copied out; at most `capacity` are kept.
///
/// A workspace that served a call on the dense path whose `B x n x n`
/// matrices take more than `denseLimitBytes` is kept only while calls keep
/// coming: when no call of this element type has started for
/// `idleRelease` after it was given back, it is dropped and its memory goes
/// back to the system. A training loop keeps it (a fresh one would cost
/// the page faults of all its matrices on every step); a process that made
/// one such call does not hold it for good. So what stays longer than that
/// is at most `capacity` workspaces of up to `denseLimitBytes` of matrices
/// and the `O(B n)` state of the other paths (with the last sorted values or
/// ranks of the exact and gauss paths, `KeptValues`), per element type.
/// `softsortkit_release_scratch` empties the pool at once.
final class ScratchPool<T: SoftSortScalar>: Sendable {
    private let idle = Mutex<[PooledWorkspace<T>]>([])
    /// Counts the calls that took a workspace; a pending release runs only if it has not moved.
    private let calls = Atomic<Int>(0)
    private let capacity = 2
    /// The largest dense `B x n x n` matrices (in bytes) a workspace may hold and stay idle: 128 MiB.
    static var denseLimitBytes: Int { 128 << 20 }
    /// How long an oversized workspace stays without a call before it is dropped.
    static var idleRelease: DispatchTimeInterval { .seconds(1) }

    /// Runs `body` with a workspace that no other call uses meanwhile;
    /// `body` returns its result and whether the workspace is oversized.
    func withWorkspace<R>(_ body: (PooledWorkspace<T>) throws -> (result: R, oversized: Bool)) rethrows -> R {
        calls.add(1, ordering: .relaxed)
        // Oversized sticks: a workspace keeps a large call's matrices through later smaller calls.
        let entry = idle.withLock { $0.popLast() } ?? PooledWorkspace<T>()
        defer {
            let kept = idle.withLock { pool in
                guard pool.count < capacity else { return false }
                pool.append(entry)
                return true
            }
            if kept && entry.oversized { releaseOversized(ifNoCallAfter: calls.load(ordering: .relaxed)) }
        }
        let (result, oversized) = try body(entry)
        entry.oversized = entry.oversized || oversized
        return result
    }

    /// Drops the oversized idle workspaces after `idleRelease` unless a call started meanwhile.
    private func releaseOversized(ifNoCallAfter mark: Int) {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + Self.idleRelease) { [self] in
            guard calls.load(ordering: .relaxed) == mark else { return }
            idle.withLock { $0.removeAll { $0.oversized } }
        }
    }

    /// Whether a call on `path` over `batch x count` scores held more than `denseLimitBytes` of matrices.
    static func oversized(path: SoftSortPath, batch: Int, count: Int) -> Bool {
        guard path == .dense else { return false }
        let (square, overflow) = count.multipliedReportingOverflow(by: count)
        let (elements, overflow2) = square.multipliedReportingOverflow(by: batch)
        return overflow || overflow2 || elements > denseLimitBytes / MemoryLayout<T>.stride
    }

    /// Drops every idle workspace (and its memory).
    func release() { idle.withLock { $0.removeAll() } }
}

/// One workspace of the pool, with what a call left for the next one.
///
/// `@unchecked Sendable`: mutable, but used by one call at a time (it is out
/// of the pool's list while a call holds it).
final class PooledWorkspace<T: SoftSortScalar>: @unchecked Sendable {
    let workspace = Workspace<T>()
    /// Whether a call held more than `ScratchPool.denseLimitBytes` of matrices in it.
    var oversized = false
    /// The last sorted values or ranks computed in it, for their backward
    /// (`KeptValues`); dropped when another forward begins.
    var kept: KeptValues<T>?
}

/// The element types of the ABI (`Float`, `Double`), each with its pool.
protocol ABIScalar: SoftSortScalar {
    /// The workspace pool of this element type.
    static var pool: ScratchPool<Self> { get }
}

private let floatPool = ScratchPool<Float>()
private let doublePool = ScratchPool<Double>()

extension Float: ABIScalar {
    static var pool: ScratchPool<Float> { floatPool }
}

extension Double: ABIScalar {
    static var pool: ScratchPool<Double> { doublePool }
}
