/// The hard permutations of a batch: `result[b * count + i]` is the column of
/// the `i`-th largest score of row `b` (smallest when ascending), ties broken
/// by index (a stable sort).
///
/// - Parameters:
///   - scores: `batch x count` scores, row-major.
///   - batch: the number of rows `B >= 0`.
///   - count: the row length `n >= 0`.
///   - direction: `.descending` (default) or `.ascending`.
///   - threads: at least 1, or `nil` for `Parallelism.defaultThreadCount`.
/// - Returns: `batch x count` column indices.
/// - Throws: `SoftSortError.nonFiniteScore`, `.sizeMismatch`,
///   `.invalidDimension`, `.shapeOverflow`, `.invalidThreadCount`,
///   `.insufficientMemory` when the sort's scratch cannot be allocated.
/// - Complexity: O(B n log n), batch rows spread over `threads` threads.
public func argsort<T: SoftSortScalar>(
    _ scores: [T], batch: Int, count: Int, direction: SortDirection = .descending, threads: Int? = nil
) throws(SoftSortError) -> [Int] {
    let scheduler = BatchScheduler(threads: try Parallelism.resolve(threads))
    let shape = try Validation.batch(scores, batch: batch, count: count, footprint: .rows)
    return try AllocationFailures.checking { T.kernelSet.sort.argsort(scores, shape, direction, scheduler) }
}
