/// Entry points for `simd-bench` (same package, not public API): the gauss
/// plan of a row, and both argsorts side by side.
package enum GaussBenchmarkHooks {
    /// The plan (order, width in bandwidths, radius, bound) the gauss path picks for a row.
    package static func plan(accuracy: Double?, extent: Double, count: Int) -> (order: Int, width: Double, radius: Double, bound: Double, momentBound: Double) {
        let plan = GaussPlan.make(accuracy: accuracy ?? GaussEngine.defaultAccuracy, extent: extent, count: count)
        return (plan.order, plan.width, plan.radius, plan.bound.value, plan.bound.moment)
    }

    /// Bytes of scratch `argsort(_:radix:scratch:)` uses for a row of `count`.
    package static func argsortScratchBytes(count n: Int) -> Int { 8 * max(SortedRows.scratchWords(count: n), 1) }

    /// One row's stable descending argsort by the introsort (`radix: false`)
    /// or the radix sort, with `scratch` (`argsortScratchBytes` bytes,
    /// reused across calls) or scratch allocated for the call (`nil`); the
    /// radix sort of a long row on `threads` threads.
    package static func argsort(
        _ scores: [Float], radix: Bool, scratch: UnsafeMutableRawPointer? = nil, threads: Int = 1
    ) -> [Int] {
        let n = scores.count
        var order = [Int](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
        let buffer = scratch ?? UnsafeMutableRawPointer.allocate(byteCount: argsortScratchBytes(count: n), alignment: 8)
        defer { if scratch == nil { buffer.deallocate() } }
        scores.withBase { s in
            order.withMutableBase { o in
                if radix {
                    RadixArgsort.sort(
                        s, count: n, descending: true, order: o, scratch: buffer,
                        parallel: BatchScheduler(threads: threads).helpers(forItems: 1))
                } else {
                    stableArgsort(UnsafeBufferPointer(start: s, count: n), direction: .descending,
                                  into: UnsafeMutableBufferPointer(start: o, count: n))
                }
            }
        }
        return order
    }
}

extension GaussBenchmarkHooks {
    /// `log Z_r` of the given ranks `r` of one descending `Double` row on the gauss path.
    package static func logNormalizers(scores: [Double], temperature: Double, ranks: [Int]) -> [Double] {
        let n = scores.count
        let r = GaussEngine.crossEntropy(
            scores: scores, targets: Array(0..<n), shape: BatchShape(batch: 1, count: n), temperature: temperature,
            direction: .descending, scheduler: BatchScheduler(threads: 1), logNormalizers: true)
        return ranks.map { r.logNormalizers[$0] }
    }
}
