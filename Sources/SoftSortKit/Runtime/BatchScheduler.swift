import Dispatch

/// Spreads work items over threads with `DispatchQueue.concurrentPerform`.
///
/// Work items are numbered `0..<items`; the caller guarantees each item
/// writes its own part of the output, so any grouping of items gives the same
/// bits. Items are cut into `3 * threads` contiguous chunks (so a slow chunk
/// does not hold up the rest), dealt to `threads` iterations in turn; a loop
/// whose work is below `serialThreshold` runs on the calling thread.
struct BatchScheduler: Sendable {
    /// The number of threads to use, at least 1.
    let threads: Int

    /// Below this many element-operations (entries of `P` for the dense
    /// kernels) a loop runs on the calling thread. Measured with `simd-bench
    /// scaling` on 2 cores (dense forward+backward, avx2, B = 20, every loop
    /// forced parallel): 2 threads ran at 0.9x one thread up to B n^2 = 1.8e5
    /// (each `concurrentPerform` costs tens of microseconds to wake a
    /// thread here), 1.12x at 3.3e5, 1.4x at 7.4e5, 1.5-2x from 1.3e6 on.
    static let serialThreshold = 1 << 18

    /// Runs `body` over every item in `0..<items`, `body` receiving a
    /// contiguous range of items. `work` estimates the element-operations of
    /// the whole loop.
    func forEach(items: Int, work: Int, _ body: (Range<Int>) -> Void) {
        forEachChunk(items: items, work: work) { _, range in body(range) }
    }

    /// The most chunks `forEachChunk` cuts `items` items into.
    func maximumChunks(items: Int) -> Int { max(1, min(items, 3 * threads)) }

    /// As `forEach(items:work:_:)`, `body` also receiving the chunk's number,
    /// `0 ..< maximumChunks(items:)`: no two concurrent calls share one, so a
    /// caller can give each chunk its own slice of a preallocated scratch.
    func forEachChunk(items: Int, work: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        forEachRange(items: items, work: work) { _, chunk, range in body(chunk, range) }
    }

    /// The most ranges `forEachSlot` runs at once for `items` items.
    func maximumSlots(items: Int) -> Int { max(1, min(items, threads)) }

    /// As `forEachChunk(items:work:_:)`, `body` receiving instead the slot of
    /// the thread that runs the range, `0 ..< maximumSlots(items:)`: a thread
    /// runs its ranges one after another and no two threads share a slot, so
    /// a caller can give each slot its own slice of a preallocated scratch
    /// (`threads` slices, not `3 threads`: the `.gauss` loss's row scratch).
    func forEachSlot(items: Int, work: Int, _ body: (_ slot: Int, _ range: Range<Int>) -> Void) {
        forEachRange(items: items, work: work) { slot, _, range in body(slot, range) }
    }

    /// The loop of `forEachChunk` and `forEachSlot`: each range with its
    /// thread's slot and its chunk's number.
    private func forEachRange(items: Int, work: Int, _ body: (_ slot: Int, _ chunk: Int, _ range: Range<Int>) -> Void) {
        guard items > 0 else { return }
        let chunkCount = min(items, 3 * threads)
        guard threads > 1, chunkCount > 1, work >= Self.serialThreshold else {
            body(0, 0, 0..<items)
            return
        }
        let iterations = min(threads, chunkCount)
        // The workers record failed scratch allocations in the caller's record.
        let failures = AllocationFailures.current
        withoutActuallyEscaping(body) { body in
            let transfer = UnsafeTransfer(body)
            DispatchQueue.concurrentPerform(iterations: iterations) { worker in
                AllocationFailures.with(failures) {
                    // Worker w takes chunks w, w + iterations, w + 2 iterations, ...
                    var chunk = worker
                    while chunk < chunkCount {
                        let start = items * chunk / chunkCount, end = items * (chunk + 1) / chunkCount
                        if start < end { transfer.value(worker, chunk, start..<end) }
                        chunk += iterations
                    }
                }
            }
        }
    }
}


/// A cut of a loop into numbered work items (`RowBlocks`, `LaneBlocks`).
protocol WorkPartition: Sendable {
    associatedtype Item
    /// The number of items.
    var items: Int { get }
    /// Item `index`, `0 ..< items`.
    func item(_ index: Int) -> Item
}

extension BatchScheduler {
    /// Runs `body` for every item of `partition`; `work` estimates the
    /// element-operations of the whole loop.
    func forEach<P: WorkPartition>(_ partition: P, work: Int, _ body: (_ index: Int, _ item: P.Item) -> Void) {
        forEach(items: partition.items, work: work) { range in
            for index in range { body(index, partition.item(index)) }
        }
    }

    /// As `forEach(_:work:_:)`, with `scratch` elements of `T` private to each
    /// contiguous range of items (uninitialized; the running thread's
    /// `ThreadScratch`, so no allocation per call in steady state).
    func forEach<P: WorkPartition, T>(
        _ partition: P, work: Int, scratch: Int, of _: T.Type,
        _ body: (_ index: Int, _ item: P.Item, _ scratch: UnsafeMutablePointer<T>) -> Void
    ) {
        precondition(MemoryLayout<T>.alignment <= 16, "ThreadScratch is 16-byte aligned")
        forEach(items: partition.items, work: work) { range in
            // Without its scratch (a failed allocation, recorded) the range is skipped.
            _ = ThreadScratch.with(count: scratch, stride: MemoryLayout<T>.stride) { raw in
                let buffer = raw.assumingMemoryBound(to: T.self)
                for index in range { body(index, partition.item(index), buffer) }
            }
        }
    }

    /// The scheduler that the one item of a loop of `items` may use inside
    /// (a long row's radix sort): itself when the loop has a single item, so
    /// its other threads would be idle, else `nil`.
    func helpers(forItems items: Int) -> BatchScheduler? { items == 1 && threads > 1 ? self : nil }

    /// Runs `body` for every batch row `0 ..< batch`.
    func forEachRow(_ batch: Int, work: Int, _ body: (_ row: Int) -> Void) {
        forEach(items: batch, work: work) { range in
            for b in range { body(b) }
        }
    }
}

extension BatchScheduler {
    /// As `forEachRow(_:work:_:)`, with `scratch` `UInt64` words private to
    /// each contiguous range of rows (uninitialized; the running thread's
    /// `ThreadScratch`, so no allocation per call in steady state): the sort's
    /// radix buffers.
    func forEachRow(
        _ batch: Int, work: Int, scratch: Int, _ body: (_ row: Int, _ scratch: UnsafeMutableRawPointer) -> Void
    ) {
        forEach(items: batch, work: work) { range in
            // Without its scratch (a failed allocation, recorded) the range is skipped.
            _ = ThreadScratch.with(count: scratch, stride: MemoryLayout<UInt64>.stride) { buffer in
                for b in range { body(b, buffer) }
            }
        }
    }
}
