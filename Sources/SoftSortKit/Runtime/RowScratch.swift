#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Row scratch a workspace keeps between calls: one slice per scheduler
/// slot (`BatchScheduler.forEachSlot`), grown to the largest request and
/// never shrunk, so a loop that passes the same workspace allocates no
/// scratch in steady state at any row length (`ThreadScratch` keeps at most
/// 4 MiB per thread; a gauss row of `n = 10^6` needs about 120 MB).
///
/// `@unchecked Sendable`: one workspace per loop (documented on the public
/// workspaces); within a call each slot's slice has one writer thread.
final class RowScratch: @unchecked Sendable {
    /// 64-byte aligned, `capacity` bytes (nil before the first use).
    private var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    init() {}

    deinit { free(base) }

    /// The first slot's address after growing to `slots` slices of `words`
    /// words, and the bytes between two slots (a multiple of 64, so no two
    /// slots share a cache line). Contents are uninitialized. `nil` when the
    /// memory cannot be allocated: the failure is recorded in the running
    /// call's `AllocationFailures` (a trap outside one, as `ThreadScratch`).
    func reserve(slots: Int, words: Int) -> (base: UnsafeMutableRawPointer, slotBytes: Int)? {
        let w = max(words, 1), lines = w / 8 + (w % 8 == 0 ? 0 : 1)
        let (slotBytes, o2) = lines.multipliedReportingOverflow(by: 64)
        let (bytes, o3) = slotBytes.multipliedReportingOverflow(by: max(slots, 1))
        if o2 || o3 || bytes > capacity {
            var fresh: UnsafeMutableRawPointer?
            guard !(o2 || o3), bytes != ThreadScratch.failingRequest.load(ordering: .relaxed),
                  posix_memalign(&fresh, 64, bytes) == 0, let fresh else {
                guard let record = AllocationFailures.current else {
                    fatalError("RowScratch: allocating \(o2 || o3 ? Int.max : bytes) bytes failed outside a checked call")
                }
                record.record(o2 || o3 ? Int.max : bytes)
                return nil
            }
            free(base)
            base = fresh
            capacity = bytes
        }
        return base.map { ($0, slotBytes) }
    }

    /// The address of the scratch (for tests: unchanged while no call grows it).
    var address: UInt { base.map { UInt(bitPattern: $0) } ?? 0 }
}

extension BatchScheduler {
    /// As `forEachRow(_:work:scratch:_:)`, the `scratch` words of each range
    /// from `kept` (its thread's slot) when given, else `ThreadScratch`.
    func forEachRow(
        _ batch: Int, work: Int, scratch words: Int, kept: RowScratch?,
        _ body: (_ row: Int, _ scratch: UnsafeMutableRawPointer) -> Void
    ) {
        guard let kept else {
            forEachRow(batch, work: work, scratch: words, body)
            return
        }
        guard batch > 0 else { return }
        // Without its scratch (a failed allocation, recorded) the loop is skipped.
        guard let (base, slotBytes) = kept.reserve(slots: maximumSlots(items: batch), words: words) else { return }
        forEachSlot(items: batch, work: work) { slot, range in
            let scratch = base + slot * slotBytes
            for b in range { body(b, scratch) }
        }
    }

    /// As `forEach(_:work:scratch:of:_:)`, the `scratch` elements of each
    /// range from `kept` (its thread's slot) when given, else `ThreadScratch`.
    func forEach<P: WorkPartition, T>(
        _ partition: P, work: Int, scratch count: Int, of type: T.Type, kept: RowScratch?,
        _ body: (_ index: Int, _ item: P.Item, _ scratch: UnsafeMutablePointer<T>) -> Void
    ) {
        guard let kept else {
            forEach(partition, work: work, scratch: count, of: type, body)
            return
        }
        guard partition.items > 0 else { return }
        precondition(MemoryLayout<T>.alignment <= 64, "RowScratch slots are 64-byte aligned")
        let words = (max(count, 1) * MemoryLayout<T>.stride + 7) / 8
        guard let (base, slotBytes) = kept.reserve(slots: maximumSlots(items: partition.items), words: words) else {
            return
        }
        forEachSlot(items: partition.items, work: work) { slot, range in
            let scratch = (base + slot * slotBytes).assumingMemoryBound(to: T.self)
            for index in range { body(index, partition.item(index), scratch) }
        }
    }
}
