import SoftSortKit
import Synchronization

/// The library's workspaces kept between calls, so that a training loop
/// calling the ABI allocates less in the steady state: each call takes one
/// (a fresh one when all are in use by other threads) and gives it back
/// after its outputs were copied out; at most `capacity` are kept.
/// A call on the dense path whose `B x n x n` matrices take more than
/// `denseLimitBytes` gives its workspace up instead (its memory goes back
/// to the system when the call returns), so that what stays between calls
/// is at most `capacity` workspaces of up to `denseLimitBytes` of matrices
/// and the `O(B n)` state of the other paths, per element type.
/// `softsortkit_release_scratch` empties the pool.
final class ScratchPool<T: SoftSortScalar>: Sendable {
    private let idle = Mutex<[Workspace<T>]>([])
    private let capacity = 2
    /// The largest dense `B x n x n` matrices (in bytes) a kept workspace may hold: 128 MiB.
    static var denseLimitBytes: Int { 128 << 20 }

    /// Runs `body` with a workspace that no other call uses meanwhile;
    /// `body` returns its result and whether the workspace may be kept.
    func withWorkspace<R>(_ body: (Workspace<T>) throws -> (result: R, keep: Bool)) rethrows -> R {
        let workspace = idle.withLock { $0.popLast() } ?? Workspace<T>()
        var keep = true
        defer {
            if keep {
                idle.withLock { pool in
                    if pool.count < capacity { pool.append(workspace) }
                }
            }
        }
        let (result, mayKeep) = try body(workspace)
        keep = mayKeep
        return result
    }

    /// Whether a call on `path` over `batch x count` scores leaves a workspace worth keeping.
    static func keeps(path: SoftSortPath, batch: Int, count: Int) -> Bool {
        guard path == .dense else { return true }
        let (square, overflow) = count.multipliedReportingOverflow(by: count)
        let (elements, overflow2) = square.multipliedReportingOverflow(by: batch)
        return !overflow && !overflow2 && elements <= denseLimitBytes / MemoryLayout<T>.stride
    }

    /// Drops every idle workspace (and its memory).
    func release() { idle.withLock { $0.removeAll() } }
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
