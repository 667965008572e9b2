#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Scratch allocations that failed during one public call: the scheduler's
/// threads record them (`ThreadScratch`, `RowScratch`) and skip the work
/// that needed them; the call's boundary (`checking`) then throws
/// `insufficientMemory` with the bytes asked for, so the partial results
/// are never returned.
///
/// The record of the running call is the calling thread's (a `pthread`
/// key); `BatchScheduler` hands it to its worker threads for each loop.
final class AllocationFailures: Sendable {
    /// The largest request that failed, 0 when none did.
    private let largest = Atomic<Int>(0)

    /// Records a failed request of `bytes` bytes.
    func record(_ bytes: Int) {
        var current = largest.load(ordering: .relaxed)
        while bytes > current {
            let (exchanged, original) = largest.compareExchange(expected: current, desired: bytes, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The largest failed request, 0 when none did.
    var bytes: Int { largest.load(ordering: .relaxed) }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        // Not created: `current` is then always nil and a failure keeps the
        // old behaviour (a trap), which only a broken libc can cause.
        _ = pthread_key_create(&key, nil)
        return key
    }()

    /// The record of the call running on this thread, if any.
    static var current: AllocationFailures? {
        pthread_getspecific(key).map { Unmanaged<AllocationFailures>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Runs `body` with `record` as this thread's current record (the
    /// caller keeps it alive), then restores the previous one.
    static func with<R>(_ record: AllocationFailures?, _ body: () -> R) -> R {
        let previous = pthread_getspecific(key)
        let new = record.map { UnsafeMutableRawPointer(Unmanaged.passUnretained($0).toOpaque()) }
        guard new != previous else { return body() }
        pthread_setspecific(key, new)
        defer { pthread_setspecific(key, previous) }
        return withExtendedLifetime(record) { body() }
    }

    /// Each thread's own record, made on its first checked call and reused
    /// by every later one (no allocation per call); released when the
    /// thread exits.
    private static let ownKey: pthread_key_t = {
        var key = pthread_key_t()
        _ = pthread_key_create(&key) { record in
            #if canImport(Darwin)
            Unmanaged<AllocationFailures>.fromOpaque(record).release()
            #else
            if let record { Unmanaged<AllocationFailures>.fromOpaque(record).release() }
            #endif
        }
        return key
    }()

    /// The calling thread's own record, cleared.
    private static var own: AllocationFailures {
        if let kept = pthread_getspecific(ownKey) {
            let record = Unmanaged<AllocationFailures>.fromOpaque(kept).takeUnretainedValue()
            record.largest.store(0, ordering: .relaxed)
            return record
        }
        let record = AllocationFailures()
        pthread_setspecific(ownKey, Unmanaged.passRetained(record).toOpaque())
        return record
    }

    /// Runs a public call's `body` with the thread's record (or the enclosing
    /// call's, when nested) and throws `insufficientMemory` when a scratch
    /// allocation inside it failed. The workers that write the record finish
    /// inside `body`, so the next call on this thread can clear it.
    static func checking<R>(_ body: () throws(SoftSortError) -> R) throws(SoftSortError) -> R {
        if current != nil { return try body() }
        let record = own
        let result = with(record) { () -> Result<R, SoftSortError> in
            do throws(SoftSortError) { return .success(try body()) } catch { return .failure(error) }
        }
        if record.bytes > 0 {
            throw .insufficientMemory(
                bytesNeeded: record.bytes, bytesAvailable: MemoryLimits.current().available,
                alternative: "a scratch allocation failed; use a smaller batch or shorter rows")
        }
        return try result.get()
    }
}
