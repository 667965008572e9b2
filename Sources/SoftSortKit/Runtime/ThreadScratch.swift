#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Uninitialized scratch memory private to the calling thread, kept between
/// calls: the scheduler's per-range scratch (the radix argsort's buffers, the
/// apply kernels' tiles) without an allocation per call in steady state.
///
/// Each thread keeps one buffer (a `pthread` key; freed when the thread
/// exits), grown to the largest request up to `retainedBytes`. A larger
/// request, or a nested one while the thread's buffer is in use, gets a
/// buffer of its own for the call. Contents are never read before the body
/// writes them, so which buffer a call gets changes no result.
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

    /// Runs `body` with at least `bytes` bytes (16-byte aligned, uninitialized).
    static func with<R>(bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        let needed = max(bytes, 16)
        if needed <= retainedBytes, let kept = keptBuffer(bytes: needed) {
            kept.storeBytes(of: 1, toByteOffset: 8, as: Int.self)
            defer { kept.storeBytes(of: 0, toByteOffset: 8, as: Int.self) }
            return body(kept + headerBytes)
        }
        // Too large to keep, or the thread's buffer is in use (a nested call).
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: needed, alignment: 16)
        defer { buffer.deallocate() }
        return body(buffer)
    }

    /// The calling thread's free buffer of at least `bytes` (replacing a
    /// smaller one), or `nil` when it is in use.
    private static func keptBuffer(bytes: Int) -> UnsafeMutableRawPointer? {
        let current = pthread_getspecific(key)
        if let current {
            guard current.load(fromByteOffset: 8, as: Int.self) == 0 else { return nil }
            if current.load(as: Int.self) >= bytes { return current }
            free(current)
        }
        guard let fresh = malloc(headerBytes + bytes) else {
            fatalError("ThreadScratch: malloc of \(headerBytes + bytes) bytes failed")
        }
        fresh.storeBytes(of: bytes, as: Int.self)
        fresh.storeBytes(of: 0, toByteOffset: 8, as: Int.self)
        pthread_setspecific(key, fresh)
        return fresh
    }
}
