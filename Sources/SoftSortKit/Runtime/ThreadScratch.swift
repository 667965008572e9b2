#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Uninitialized scratch memory private to the calling thread, kept between
/// calls: the scheduler's per-range scratch (the radix argsort's buffers, the
/// apply kernels' tiles) without an allocation per call in steady state.
///
/// Each thread keeps one buffer (a `pthread` key; freed when the thread
/// exits), grown to the largest request up to `retainedBytes`. A larger
/// request, or a nested one while the thread's buffer is in use, gets a
/// buffer of its own for the call. Contents are never read before the body
/// writes them, so which buffer a call gets changes no result.
///
/// An allocation that fails is recorded in the running call's
/// `AllocationFailures` and `body` does not run; the call's boundary throws
/// `insufficientMemory`. Outside any call's record a failure still traps
/// (no public call runs outside one).
enum ThreadScratch {
    /// The most bytes a thread keeps between calls: the radix sort of a row of
    /// `n` up to about 170 000 scores, the exact backward at B = 8, n = 4096
    /// (1 MiB); larger requests allocate per call.
    static let retainedBytes = 4 << 20

    /// The header before each kept buffer: its capacity in bytes and whether
    /// a call is using it. 16 bytes, so the data stays 16-byte aligned.
    private static let headerBytes = 16

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { buffer in free(buffer) }
        precondition(created == 0, "pthread_key_create failed")
        return key
    }()

    /// For tests: a request of exactly this many bytes fails as if `malloc`
    /// had returned `NULL` (0: none). Only that size fails, so tests running
    /// beside the one that sets it are not disturbed.
    static let failingRequest = Atomic<Int>(0)

    /// Runs `body` with at least `count` elements of `stride` bytes (16-byte
    /// aligned, uninitialized), or records the failure and returns `nil`
    /// when they cannot be allocated (or their size overflows `Int`).
    static func with<R>(count: Int, stride: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R? {
        let (product, overflow) = max(count, 1).multipliedReportingOverflow(by: stride)
        let needed = overflow ? Int.max : max(product, 16)
        if needed != failingRequest.load(ordering: .relaxed), needed <= retainedBytes {
            switch keptBuffer(bytes: needed) {
            case .kept(let kept):
                kept.storeBytes(of: 1, toByteOffset: 8, as: Int.self)
                defer { kept.storeBytes(of: 0, toByteOffset: 8, as: Int.self) }
                return body(kept + headerBytes)
            case .inUse: break
            case .failed: return failed(needed)
            }
        }
        // Too large to keep, or the thread's buffer is in use (a nested call).
        var buffer: UnsafeMutableRawPointer?
        guard !overflow, needed != failingRequest.load(ordering: .relaxed),
              posix_memalign(&buffer, 16, needed) == 0, let buffer else { return failed(needed) }
        defer { free(buffer) }
        return body(buffer)
    }

    /// As `with(count:stride:_:)` for `bytes` bytes.
    @discardableResult
    static func with<R>(bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R? {
        with(count: bytes, stride: 1, body)
    }

    /// Records a failed request in the running call's `AllocationFailures`.
    private static func failed<R>(_ bytes: Int) -> R? {
        guard let record = AllocationFailures.current else {
            fatalError("ThreadScratch: allocating \(bytes) bytes failed outside a checked call")
        }
        record.record(bytes)
        return nil
    }

    private enum Kept {
        case kept(UnsafeMutableRawPointer)
        case inUse
        case failed
    }

    /// The calling thread's free buffer of at least `bytes` (replacing a
    /// smaller one), `.inUse` when a call is using it, `.failed` when a
    /// larger one cannot be allocated.
    private static func keptBuffer(bytes: Int) -> Kept {
        let current = pthread_getspecific(key)
        if let current {
            guard current.load(fromByteOffset: 8, as: Int.self) == 0 else { return .inUse }
            if current.load(as: Int.self) >= bytes { return .kept(current) }
            pthread_setspecific(key, nil)
            free(current)
        }
        guard let fresh = malloc(headerBytes + bytes) else { return .failed }
        fresh.storeBytes(of: bytes, as: Int.self)
        fresh.storeBytes(of: 0, toByteOffset: 8, as: Int.self)
        pthread_setspecific(key, fresh)
        return .kept(fresh)
    }
}
