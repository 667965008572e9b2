/// Stable argsort of one row: `order[r]` is the index of the element of rank
/// `r`; equal values keep their index order (as `torch.sort(stable=True)`).
///
/// Ordering by (value, index) makes every key distinct, so an in-place
/// introsort (quicksort with median-of-three pivots, insertion sort below 16
/// elements, heapsort past `2 log2 n` levels) gives exactly the stable order
/// while allocating nothing: the standard library's stable sort allocates its
/// merge buffer on every call, which a training loop would pay every step.
///
/// - Complexity: O(n log n) comparisons, O(log n) stack, no heap allocation.
@inline(__always)
func stableArgsort<T: Comparable>(
    _ values: UnsafeBufferPointer<T>, direction: SortDirection, into order: UnsafeMutableBufferPointer<Int>
) {
    for r in order.indices { order[r] = r }
    guard order.count > 1 else { return }
    let sorter = IntroSorter(values: values.baseAddress!, order: order.baseAddress!, descending: direction == .descending)
    sorter.sort(0, order.count, depth: 2 * (Int.bitWidth - order.count.leadingZeroBitCount))
}

/// An in-place introsort of indices by (value, index), values descending or
/// ascending, indices ascending.
struct IntroSorter<T: Comparable> {
    let values: UnsafePointer<T>
    let order: UnsafeMutablePointer<Int>
    let descending: Bool

    /// Index `a` sorts before index `b`.
    @inline(__always)
    func before(_ a: Int, _ b: Int) -> Bool {
        let x = values[a], y = values[b]
        if x != y { return descending ? x > y : x < y }
        return a < b
    }

    func sort(_ lowerBound: Int, _ upperBound: Int, depth: Int) {
        var low = lowerBound, high = upperBound, depth = depth
        while high - low > 16 {
            if depth == 0 {
                heapSort(low, high)
                return
            }
            depth -= 1
            let pivot = partition(low, high)
            // Recurse into the smaller side, loop on the larger: O(log n) stack.
            if pivot - low < high - pivot - 1 {
                sort(low, pivot, depth: depth)
                low = pivot + 1
            } else {
                sort(pivot + 1, high, depth: depth)
                high = pivot
            }
        }
        insertionSort(low, high)
    }

    @inline(__always)
    func swapAt(_ i: Int, _ j: Int) {
        let t = order[i]
        order[i] = order[j]
        order[j] = t
    }

    /// Median-of-three pivot moved to `high - 1`, Lomuto-style partition;
    /// returns the pivot's final position.
    func partition(_ low: Int, _ high: Int) -> Int {
        let mid = low + (high - low) / 2, last = high - 1
        if before(order[mid], order[low]) { swapAt(mid, low) }
        if before(order[last], order[low]) { swapAt(last, low) }
        if before(order[last], order[mid]) { swapAt(last, mid) }
        swapAt(mid, last)  // the median is the pivot, parked at the end
        let pivot = order[last]
        var store = low
        for i in low..<last where before(order[i], pivot) {
            swapAt(i, store)
            store += 1
        }
        swapAt(store, last)
        return store
    }

    func insertionSort(_ low: Int, _ high: Int) {
        guard high - low > 1 else { return }
        for i in (low + 1)..<high {
            let item = order[i]
            var j = i
            while j > low && before(item, order[j - 1]) {
                order[j] = order[j - 1]
                j -= 1
            }
            order[j] = item
        }
    }

    func heapSort(_ low: Int, _ high: Int) {
        let count = high - low
        func siftDown(_ start: Int, _ end: Int) {
            var root = start
            while 2 * root + 1 < end {
                var child = 2 * root + 1
                if child + 1 < end && before(order[low + child], order[low + child + 1]) { child += 1 }
                guard before(order[low + root], order[low + child]) else { return }
                swapAt(low + root, low + child)
                root = child
            }
        }
        for start in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(start, count) }
        for end in stride(from: count - 1, to: 0, by: -1) {
            swapAt(low, low + end)
            siftDown(0, end)
        }
    }
}

/// The one way every path sorts a batch row: its stable argsort, and the
/// scores in that order.
enum SortedRows {
    /// `order[r]` = the column of rank `r`, `sorted[r * stride] = scores[order[r]]`
    /// (a stride writes one lane of the exact path's block layout).
    /// With `scratch` (`scratchWords(count: n)` words) rows of at least
    /// `RadixArgsort.minimumCount` run the radix argsort, others the
    /// introsort; both give the same permutation. `parallel`: a scheduler
    /// whose threads a long row's radix sort may use (pass it only where
    /// this row is the loop's one item, so its threads are idle).
    /// `keys`: the caller's scores when `scores` are rescaled (`ScoreScale`):
    /// the order is the keys' stable argsort (rescaling turns distinct
    /// subnormal keys into ties), the sorted values still `scores[order[r]]`.
    @inline(__always)
    static func sort<T: VectorScalar>(
        _ scores: UnsafePointer<T>, count n: Int, direction: SortDirection,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<T>?, stride: Int = 1,
        scratch: UnsafeMutableRawPointer?, parallel: BatchScheduler? = nil, keys: UnsafePointer<T>? = nil
    ) {
        let source = keys ?? scores
        if let scratch, n >= RadixArgsort.minimumCount {
            // The radix sort decodes the sorted values from its keys (`-0` as `+0`).
            RadixArgsort.sort(
                source, count: n, descending: direction == .descending, order: order,
                sorted: keys == nil ? sorted : nil, stride: stride, scratch: scratch, parallel: parallel)
            guard keys != nil else { return }
        } else {
            stableArgsort(
                UnsafeBufferPointer(start: source, count: n), direction: direction,
                into: UnsafeMutableBufferPointer(start: order, count: n))
        }
        if let sorted {
            for r in 0..<n { sorted[r &* stride] = scores[order[r]] }
        }
    }

    /// `UInt64` words of scratch `sort` needs for a row of `count`.
    static func scratchWords(count n: Int) -> Int { RadixArgsort.scratchWords(count: n) }

    /// `gradient[order[b n + r]] += values[r]` for the ranks of batch row `b`:
    /// a gradient in sorted order routed back to the columns.
    @inline(__always)
    static func scatterAdd<T: VectorScalar>(
        _ values: UnsafePointer<T>, order: [Int], row b: Int, count n: Int, into gradient: UnsafeMutablePointer<T>
    ) {
        order.withBase { order in
            for r in 0..<n { gradient[order[b * n + r]] += values[r] }
        }
    }

    @inline(__always)
    static func scatterAdd<T: VectorScalar>(
        _ values: UnsafeMutablePointer<T>, order: [Int], row b: Int, count n: Int, into gradient: UnsafeMutablePointer<T>
    ) {
        scatterAdd(UnsafePointer(values), order: order, row: b, count: n, into: gradient)
    }
}

extension SortedRows {
    /// `SortOperations.argsort`, or where its scratch cannot be allocated
    /// (`AllocationFailures`) the same stable argsort by the comparison
    /// sort, which needs none, on the calling thread: for callers that
    /// cannot throw (`RelaxedPermutation.permutation`).
    static func argsortInAnyMemory<T: SoftSortScalar>(
        _ scores: [T], _ shape: BatchShape, _ direction: SortDirection, _ scheduler: BatchScheduler
    ) -> [Int] {
        if let order = try? AllocationFailures.checking({ T.kernelSet.sort.argsort(scores, shape, direction, scheduler) }) {
            return order
        }
        let n = shape.count
        var order = [Int](repeating: 0, count: shape.elements)
        scores.withUnsafeBufferPointer { s in
            order.withUnsafeMutableBufferPointer { o in
                for b in 0..<shape.batch {
                    stableArgsort(
                        UnsafeBufferPointer(rebasing: s[b * n ..< (b + 1) * n]), direction: direction,
                        into: UnsafeMutableBufferPointer(rebasing: o[b * n ..< (b + 1) * n]))
                }
            }
        }
        return order
    }
}

/// The hard permutations of a batch, compiled for one element type
/// (`KernelSet.sort`).
struct SortOperations<T: SoftSortScalar>: Sendable {
    let argsort: @Sendable (_ scores: [T], _ shape: BatchShape, _ direction: SortDirection, _ scheduler: BatchScheduler) -> [Int]
}

extension SortOperations where T: VectorScalar {
    static func make() -> SortOperations<T> {
        SortOperations(argsort: { scores, shape, direction, scheduler in
            let n = shape.count
            var order = [Int](repeating: 0, count: shape.elements)
            scores.withBase { s in
                order.withMutableBase { o in
                    scheduler.forEachRow(
                        shape.batch, work: 16 * shape.elements, scratch: SortedRows.scratchWords(count: n)
                    ) { b, scratch in
                        SortedRows.sort(
                            s + b * n, count: n, direction: direction, order: o + b * n, sorted: nil, scratch: scratch,
                            parallel: scheduler.helpers(forItems: shape.batch))
                    }
                }
            }
            return order
        })
    }
}
