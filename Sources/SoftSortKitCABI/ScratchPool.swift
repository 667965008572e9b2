import SoftSortKit
import Synchronization

/// Buffers one ABI call uses: the library's `DenseWorkspace` and
/// `LossWorkspace`, and a `B x n x n` gradient `dL/dP` kept zero between
/// calls (the dense ranks' backward fills it, then clears it).
final class DenseScratch<T: SoftSortScalar>: @unchecked Sendable {
    // @unchecked: a scratch is used by one call at a time; the pool hands it
    // to one caller and takes it back after that call copied out and dropped
    // every result that shares its storage.
    let workspace = DenseWorkspace<T>()
    let loss = LossWorkspace<T>()
    var gradient: [T] = []

    /// Grows `gradient` to `size` zeros (kept zero by every user).
    func zeroGradient(count size: Int) {
        if gradient.count != size { gradient = [T](repeating: 0, count: size) }
    }
}

/// The scratch buffers kept between calls, so that a training loop calling
/// the ABI allocates nothing in the steady state: each call takes one
/// scratch (a fresh one when all are in use by other threads) and gives it
/// back; at most `capacity` are kept. `softsortkit_release_scratch` empties it.
final class ScratchPool<T: SoftSortScalar>: Sendable {
    private let idle = Mutex<[DenseScratch<T>]>([])
    private let capacity = 2

    /// Runs `body` with a scratch that no other call uses meanwhile.
    func withScratch<R>(_ body: (DenseScratch<T>) throws(Failure) -> R) throws(Failure) -> R {
        let scratch = idle.withLock { $0.popLast() } ?? DenseScratch<T>()
        defer {
            idle.withLock { pool in
                if pool.count < capacity { pool.append(scratch) }
            }
        }
        return try body(scratch)
    }

    /// Drops every idle scratch (and its memory).
    func release() { idle.withLock { $0.removeAll() } }
}

/// The element types of the ABI (`Float`, `Double`), each with its pool.
protocol ABIScalar: SoftSortScalar {
    /// The dense scratch pool of this element type.
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
