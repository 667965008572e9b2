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
