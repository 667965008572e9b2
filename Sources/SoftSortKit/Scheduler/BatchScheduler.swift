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

    /// Below this many element-operations (about 100 us of kernel work) a
    /// loop runs serially: `concurrentPerform` costs a few microseconds to
    /// wake threads, and shared machines make that worse. Measured with
    /// `simd-bench scaling`; see README, "Threads".
    static let serialThreshold = 1 << 15

    /// Runs `body` over every item in `0..<items`, `body` receiving a
    /// contiguous range of items. `work` estimates the element-operations of
    /// the whole loop.
    func forEach(items: Int, work: Int, _ body: (Range<Int>) -> Void) {
        guard items > 0 else { return }
        let chunkCount = min(items, 3 * threads)
        guard threads > 1, chunkCount > 1, work >= Self.serialThreshold else {
            body(0..<items)
            return
        }
        let iterations = min(threads, chunkCount)
        withoutActuallyEscaping(body) { body in
            let transfer = UnsafeTransfer(body)
            DispatchQueue.concurrentPerform(iterations: iterations) { worker in
                // Worker w takes chunks w, w + iterations, w + 2 iterations, ...
                var chunk = worker
                while chunk < chunkCount {
                    let start = items * chunk / chunkCount, end = items * (chunk + 1) / chunkCount
                    if start < end { transfer.value(start..<end) }
                    chunk += iterations
                }
            }
        }
    }
}

/// How a batch of `batch` rows of length `count` is cut into work items
/// (batch row, block of rows). It depends on the shape only, never on the
/// thread count, so the backward's per-block partial sums, combined in block
/// order, give the same bits for every thread count.
struct RowBlocks: Sendable {
    let batch: Int
    let count: Int
    /// Blocks per batch row: enough for `items` items in all (48 by
    /// default: 3 per thread up to 16 threads), none smaller than 16 rows.
    let blocksPerRow: Int

    init(batch: Int, count: Int, items: Int = 48) {
        self.batch = batch
        self.count = count
        let wanted = (items + max(batch, 1) - 1) / max(batch, 1)
        blocksPerRow = max(1, min(wanted, count / 16))
    }

    var items: Int { batch * blocksPerRow }

    /// Item `item`'s batch row, block index, and rows.
    func item(_ item: Int) -> (row: Int, block: Int, rows: Range<Int>) {
        let b = item / blocksPerRow, k = item % blocksPerRow
        return (b, k, (count * k / blocksPerRow)..<(count * (k + 1) / blocksPerRow))
    }
}
