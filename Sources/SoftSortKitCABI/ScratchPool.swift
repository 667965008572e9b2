import SoftSortKit
import Synchronization

/// The library's workspaces kept between calls, so that a training loop
/// calling the ABI allocates less in the steady state: each call takes one
/// (a fresh one when all are in use by other threads) and gives it back
/// after its outputs were copied out; at most `capacity` are kept.
/// `softsortkit_release_scratch` empties the pool.
final class ScratchPool<T: SoftSortScalar>: Sendable {
    private let idle = Mutex<[Workspace<T>]>([])
    private let capacity = 2

    /// Runs `body` with a workspace that no other call uses meanwhile.
    func withWorkspace<R>(_ body: (Workspace<T>) throws -> R) rethrows -> R {
        let workspace = idle.withLock { $0.popLast() } ?? Workspace<T>()
        defer {
            idle.withLock { pool in
                if pool.count < capacity { pool.append(workspace) }
            }
        }
        return try body(workspace)
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
