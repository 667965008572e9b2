/// A stable LSD radix argsort of one row of `Float` or `Double` scores: the
/// same permutation as `stableArgsort` (values descending or ascending, equal
/// values by index, `-0 == +0`), in a few linear passes.
///
/// Each score becomes an order-preserving unsigned key: `-0` is first made
/// `+0` (the comparison sort sees them equal, so they tie and go by index);
/// a negative number has all its bits flipped, a non-negative one its sign bit
/// set; descending order complements the key. Stable counting passes over
/// 11-bit digits, least significant first, then sort (key, index) pairs by key
/// with ties in index order. All digit histograms come from one read of the
/// scores; a pass whose digit is the same for every key is skipped (common for
/// `Double` scores that came from `Float`, whose low bits are zero). For
/// `Float` the first pass that runs builds the pairs from the scores and the
/// last writes the order and the sorted scores directly.
///
/// `Float`: the pair is one `UInt64` (key high, index low), 3 passes.
/// `Double`: keys and `UInt32` indices in separate arrays, 6 passes.
/// Scores are finite (validation guarantees it).
///
/// - Complexity: O(n) time per pass, `scratchWords(count:)` words of caller
///   scratch, no allocation.
enum RadixArgsort {
    static let digitBits = 11
    static let buckets = 1 << digitBits
    /// Below this many elements the introsort is faster than the histogram
    /// passes (measured with `simd-bench scan`, the `sort` rows).
    static let minimumCount = 96

    /// `UInt64` words of scratch one row of `count` elements needs.
    static func scratchWords(count: Int) -> Int { 3 * count + 3 * buckets }

    /// `order[r]` = the index of rank `r`; `scratch` holds `scratchWords(count: n)` words.
    @inline(__always)
    static func sort<T: BinaryFloatingPoint>(
        _ values: UnsafePointer<T>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<T>? = nil, scratch: UnsafeMutableRawPointer
    ) {
        precondition(n <= Int(UInt32.max), "radix argsort indexes rows with UInt32")
        if MemoryLayout<T>.size == 4 {
            sort32(
                UnsafeRawPointer(values).assumingMemoryBound(to: UInt32.self), count: n,
                descending: descending, order: order,
                sorted: sorted.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt32.self) },
                scratch: scratch)
        } else {
            sort64(
                UnsafeRawPointer(values).assumingMemoryBound(to: UInt64.self), count: n,
                descending: descending, order: order,
                sorted: sorted.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt64.self) },
                scratch: scratch)
        }
    }

    /// The order-preserving key of a `Float`'s bits (`-0` as `+0`).
    @inline(__always)
    static func key32(_ bits: UInt32, descending: Bool) -> UInt32 {
        let b = bits & 0x7fff_ffff == 0 ? 0 : bits
        let key = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
        return descending ? ~key : key
    }

    /// The bits of the `Float` whose key is `key` (`-0` comes back as `+0`).
    @inline(__always)
    static func bits32(_ key: UInt32, descending: Bool) -> UInt32 {
        let k = descending ? ~key : key
        return k & 0x8000_0000 != 0 ? k & 0x7fff_ffff : ~k
    }

    /// The bits of the `Double` whose key is `key` (`-0` comes back as `+0`).
    @inline(__always)
    static func bits64(_ key: UInt64, descending: Bool) -> UInt64 {
        let k = descending ? ~key : key
        return k & 0x8000_0000_0000_0000 != 0 ? k & 0x7fff_ffff_ffff_ffff : ~k
    }

    /// The order-preserving key of a `Double`'s bits (`-0` as `+0`).
    @inline(__always)
    static func key64(_ bits: UInt64, descending: Bool) -> UInt64 {
        let b = bits & 0x7fff_ffff_ffff_ffff == 0 ? 0 : bits
        let key = b & 0x8000_0000_0000_0000 != 0 ? ~b : b | 0x8000_0000_0000_0000
        return descending ? ~key : key
    }

    /// Turns counts into exclusive prefix sums; `false` when one bucket holds
    /// every element (the pass would change nothing).
    @inline(__always)
    static func prefix(_ counts: UnsafeMutablePointer<UInt32>, total n: Int) -> Bool {
        var sum: UInt32 = 0
        for d in 0..<buckets {
            let c = counts[d]
            if Int(c) == n { return false }
            counts[d] = sum
            sum &+= c
        }
        return true
    }

    static func sort32(
        _ bits: UnsafePointer<UInt32>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<UInt32>?, scratch: UnsafeMutableRawPointer
    ) {
        let source = scratch.assumingMemoryBound(to: UInt64.self)
        let target = source + n
        let counts = UnsafeMutableRawPointer(target + n).assumingMemoryBound(to: UInt32.self)
        counts.initialize(repeating: 0, count: 3 * buckets)
        let mask = UInt32(buckets - 1)
        // One read of the scores for all three histograms; the keys are
        // recomputed by the first pass that runs instead of stored here.
        for i in 0..<n {
            let key = key32(bits[i], descending: descending)
            counts[Int(key & mask)] &+= 1
            counts[buckets + Int((key >> 11) & mask)] &+= 1
            counts[2 * buckets + Int(key >> 22)] &+= 1
        }
        var active = 0
        for pass in 0..<3 where prefix(counts + pass * buckets, total: n) { active |= 1 << pass }
        guard active != 0 else {
            // Every key is the same: the identity (ties by index).
            for r in 0..<n { order[r] = r }
            if let sorted { for r in 0..<n { sorted[r] = bits32(key32(bits[r], descending: descending), descending: descending) } }
            return
        }
        // The first pass that runs reads the scores, the last writes the
        // order (and the sorted scores) itself: no separate key or output pass.
        var input = source, output = target, first = true
        for pass in 0..<3 where active & (1 << pass) != 0 {
            let last = active >> (pass + 1) == 0
            let offsets = counts + pass * buckets, shift = UInt64(32 + 11 * pass)
            let from = input, to = output
            switch (first, last) {
            case (true, true):
                scatter32(n, offsets, shift) { i in pair32(bits, i, descending) } write: { slot, pair in
                    finish32(pair, slot, order, sorted, descending)
                }
            case (true, false):
                scatter32(n, offsets, shift) { i in pair32(bits, i, descending) } write: { slot, pair in to[slot] = pair }
            case (false, true):
                scatter32(n, offsets, shift) { i in from[i] } write: { slot, pair in
                    finish32(pair, slot, order, sorted, descending)
                }
            case (false, false):
                scatter32(n, offsets, shift) { i in from[i] } write: { slot, pair in to[slot] = pair }
            }
            first = false
            swap(&input, &output)
        }
    }

    /// The (key, index) pair of element `i`: key high, index low.
    @inline(__always)
    static func pair32(_ bits: UnsafePointer<UInt32>, _ i: Int, _ descending: Bool) -> UInt64 {
        UInt64(key32(bits[i], descending: descending)) << 32 | UInt64(truncatingIfNeeded: i)
    }

    /// Rank `slot`'s index into `order` and its score, decoded from the key, into `sorted`.
    @inline(__always)
    static func finish32(
        _ pair: UInt64, _ slot: Int, _ order: UnsafeMutablePointer<Int>, _ sorted: UnsafeMutablePointer<UInt32>?,
        _ descending: Bool
    ) {
        order[slot] = Int(truncatingIfNeeded: pair & 0xffff_ffff)
        sorted?[slot] = bits32(UInt32(truncatingIfNeeded: pair >> 32), descending: descending)
    }

    /// One stable counting pass: element `i`'s pair `read(i)` goes to the
    /// next slot of its digit `(pair >> shift) & mask`.
    @inline(__always)
    static func scatter32(
        _ n: Int, _ offsets: UnsafeMutablePointer<UInt32>, _ shift: UInt64,
        read: (Int) -> UInt64, write: (Int, UInt64) -> Void
    ) {
        let mask = UInt64(buckets - 1)
        for i in 0..<n {
            let pair = read(i)
            let d = Int(truncatingIfNeeded: (pair >> shift) & mask)
            write(Int(offsets[d]), pair)
            offsets[d] &+= 1
        }
    }

    static func sort64(
        _ bits: UnsafePointer<UInt64>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<UInt64>?, scratch: UnsafeMutableRawPointer
    ) {
        var keys = scratch.assumingMemoryBound(to: UInt64.self)
        var keysOut = keys + n
        let indexBase = UnsafeMutableRawPointer(keysOut + n).assumingMemoryBound(to: UInt32.self)
        var index = indexBase, indexOut = indexBase + n
        let counts = indexBase + 2 * n
        let passes = 6
        counts.initialize(repeating: 0, count: passes * buckets)
        let mask = UInt64(buckets - 1)
        for i in 0..<n {
            let key = key64(bits[i], descending: descending)
            keys[i] = key
            index[i] = UInt32(truncatingIfNeeded: i)
            for pass in 0..<passes {
                counts[pass * buckets + Int(truncatingIfNeeded: (key >> UInt64(11 * pass)) & mask)] &+= 1
            }
        }
        for pass in 0..<passes {
            let offsets = counts + pass * buckets
            guard prefix(offsets, total: n) else { continue }
            let shift = UInt64(11 * pass)
            for i in 0..<n {
                let key = keys[i]
                let d = Int(truncatingIfNeeded: (key >> shift) & mask)
                let slot = Int(offsets[d])
                keysOut[slot] = key
                indexOut[slot] = index[i]
                offsets[d] &+= 1
            }
            swap(&keys, &keysOut)
            swap(&index, &indexOut)
        }
        for r in 0..<n { order[r] = Int(index[r]) }
        if let sorted {
            for r in 0..<n { sorted[r] = bits64(keys[r], descending: descending) }
        }
    }
}
