/// How a batch of `batch` rows of length `count` is cut into work items
/// (batch row, block of rows). It depends on the shape only, never on the
/// thread count, so the backward's per-block partial sums, combined in block
/// order, give the same bits for every thread count.
struct RowBlocks: WorkPartition {
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

    /// Item `index`: its batch row, its block index within the row, its rows.
    func item(_ index: Int) -> (row: Int, block: Int, rows: Range<Int>) {
        let b = index / blocksPerRow, k = index % blocksPerRow
        return (b, k, (count * k / blocksPerRow)..<(count * (k + 1) / blocksPerRow))
    }
}

/// Groups of batch rows the exact scans run in SIMD lanes in lockstep: full
/// groups of `lanes` rows first, then the rest one at a time. It depends on
/// the batch size and the lane count only, never on the thread count.
struct LaneBlocks: WorkPartition {
    let batch: Int
    let lanes: Int

    /// The number of full groups.
    var fullBlocks: Int { lanes > 1 ? batch / lanes : 0 }

    var items: Int { fullBlocks + (batch - fullBlocks * lanes) }

    /// Item `index`: its first batch row and its lane count.
    func item(_ index: Int) -> (first: Int, lanes: Int) {
        index < fullBlocks ? (index * lanes, lanes) : (fullBlocks * lanes + index - fullBlocks, 1)
    }
}
