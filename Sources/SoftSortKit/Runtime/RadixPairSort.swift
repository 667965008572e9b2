/// The stable sort of (key, index) pairs packed in one `UInt64`, key high,
/// index low, that `RadixArgsort` runs when a row's varying key bits fit 32.
///
/// Where a pass reads its pairs (`RadixPairSource`: the scores' keys, or
/// pairs in memory) and where the last pass writes them (`RadixPairSink`:
/// the order and sorted scores, or pairs in memory) are generic parameters,
/// not closures, so that every pass is specialized and inlined, also inside
/// the closures an MSD sort hands to other threads.

/// Element `i`'s pair: its key (the varying bits of its score's key) high,
/// `i` low.
protocol RadixPairSource {
    func pair(_ i: Int) -> UInt64
}

/// Stores the pair of rank `slot`.
protocol RadixPairSink {
    func finish(_ slot: Int, _ pair: UInt64)
}

extension RadixPairSource {
    /// Element `i`'s key.
    @inline(__always)
    func key(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: pair(i) >> 32) }
}

/// `Float` scores as keys (`RadixArgsort.key32`).
struct FloatKeys: RadixPairSource {
    let bits: UnsafePointer<UInt32>
    /// The descending complement: all ones or zero.
    let flip: UInt32

    @inline(__always)
    func pair(_ i: Int) -> UInt64 {
        UInt64(RadixArgsort.key32(bits[i], flip: flip)) << 32 | UInt64(truncatingIfNeeded: i)
    }
}

/// `Double` scores whose varying key bits are `low ..< low + 32`, as those bits.
struct DoubleKeys: RadixPairSource {
    let bits: UnsafePointer<UInt64>
    let flip: UInt64
    let low: UInt64

    @inline(__always)
    func pair(_ i: Int) -> UInt64 {
        let key = RadixArgsort.key64(bits[i], descending: false) ^ flip
        return UInt64(UInt32(truncatingIfNeeded: key &>> low)) << 32 | UInt64(truncatingIfNeeded: i)
    }
}

/// Pairs in memory.
struct StoredPairs: RadixPairSource, RadixPairSink {
    let base: UnsafeMutablePointer<UInt64>

    @inline(__always)
    func pair(_ i: Int) -> UInt64 { base[i] }

    @inline(__always)
    func finish(_ slot: Int, _ pair: UInt64) { base[slot] = pair }
}

/// The order only.
struct OrderOnly: RadixPairSink {
    let order: UnsafeMutablePointer<Int>

    @inline(__always)
    func finish(_ slot: Int, _ pair: UInt64) { order[slot] = Int(truncatingIfNeeded: pair & 0xffff_ffff) }
}

/// The order and the sorted `Float` scores (`sorted[slot * stride]`).
struct FloatRanks: RadixPairSink {
    let order: UnsafeMutablePointer<Int>
    let sorted: UnsafeMutablePointer<UInt32>
    let stride: Int
    let flip: UInt32

    @inline(__always)
    func finish(_ slot: Int, _ pair: UInt64) {
        order[slot] = Int(truncatingIfNeeded: pair & 0xffff_ffff)
        sorted[slot &* stride] = RadixArgsort.bits32(UInt32(truncatingIfNeeded: pair >> 32), flip: flip)
    }
}

/// The order and, when asked for, the sorted `Double` scores: the key's
/// constant bits come back from `constant`.
struct DoubleRanks: RadixPairSink {
    let order: UnsafeMutablePointer<Int>
    let sorted: UnsafeMutablePointer<UInt64>?
    let stride: Int
    let flip: UInt64
    let constant: UInt64
    let low: UInt64

    @inline(__always)
    func finish(_ slot: Int, _ pair: UInt64) {
        order[slot] = Int(truncatingIfNeeded: pair & 0xffff_ffff)
        sorted?[slot &* stride] = RadixArgsort.bits64(constant | (pair >> 32) << low, flip: flip)
    }
}

/// A sink seen from `offset` on: rank `slot` of a bucket is rank `offset + slot` of the row.
struct OffsetSink<Base: RadixPairSink>: RadixPairSink {
    let base: Base
    let offset: Int

    @inline(__always)
    func finish(_ slot: Int, _ pair: UInt64) { base.finish(offset &+ slot, pair) }
}

extension RadixArgsort {
    /// The stable sort of the `n` pairs of `source` into `output`, within
    /// `digits`. Rows below `msdMinimumCount` run LSD passes over the whole
    /// row (`lsdPairs`); longer ones one MSD pass on the top 11 varying bits,
    /// then each bucket on its own while it is in cache (`msdPairs`, on
    /// `parallel`'s threads when given).
    @inline(__always)
    static func sortPairs<Source: RadixPairSource, Sink: RadixPairSink>(
        count n: Int, digits: Digits, scratch: UnsafeMutableRawPointer, parallel: BatchScheduler?,
        source: Source, output: Sink
    ) {
        let a = scratch.assumingMemoryBound(to: UInt64.self)
        let b = a + n
        let counts = UnsafeMutableRawPointer(b + n).assumingMemoryBound(to: UInt32.self)
        if n >= msdMinimumCount && digits.passes > 1 {
            msdPairs(count: n, digits: digits, a, b, counts: counts, parallel: parallel, source: source, output: output)
            return
        }
        // One read of the scores for every histogram; the keys are recomputed
        // by the first pass instead of stored here.
        histograms(count: n, digits: digits, counts: counts, source: source)
        lsdPairs(a, b, count: n, digits: digits, counts: counts, source: source, output: output)
    }

    /// The most parts an MSD sort cuts a row into (each with its own
    /// counters after the two pair arrays: `parts x (2^11 + 2^13)` counters
    /// fit the `count + 6144` words there from `msdMinimumCount` on).
    static let maximumParts = 16

    /// The MSD pair sort of `sortPairs`: one counting pass on the top 11
    /// varying bits into `a`, then each bucket on its own (`sortBucket`,
    /// with `b` as its other buffer). With `parallel`, the row runs as up to
    /// `parallel.threads` parts on that scheduler: each part counts and
    /// scatters its own contiguous range of elements (its slots in each
    /// bucket follow those of the parts before it, so the pass stays
    /// stable), then sorts its own contiguous range of buckets. The result is
    /// the one stable order, whatever the number of parts.
    @inline(__always)
    static func msdPairs<Source: RadixPairSource, Sink: RadixPairSink>(
        count n: Int, digits: Digits, _ a: UnsafeMutablePointer<UInt64>, _ b: UnsafeMutablePointer<UInt64>,
        counts: UnsafeMutablePointer<UInt32>, parallel: BatchScheduler?, source: Source, output: Sink
    ) {
        // The top `maximumDigitBits` varying bits. (The digits may reach past bit 31 into nothing.)
        let high = min(digits.low + digits.passes * digits.bits, UInt32.bitWidth)
        let topShift = max(high - maximumDigitBits, digits.low)
        let width = 1 << (high - topShift), mask = UInt32(width - 1), shift32 = UInt32(topShift)
        let parts = min(parallel?.threads ?? 1, maximumParts)
        // Part p's bucket counters at `counts + p width`, its bucket sorts' after every part's,
        // within the `n + 3 buckets` words after the two pair arrays.
        assert(parts * (width + 4 * buckets) <= 2 * (n + 3 * buckets), "MSD counters overflow the scratch")
        let bucketCounters = counts + parts * width
        func eachPart(_ body: (_ part: Int, _ elements: Range<Int>) -> Void) {
            guard parts > 1, let parallel else {
                body(0, 0..<n)
                return
            }
            parallel.forEachSlot(items: parts, work: .max) { _, range in
                for p in range { body(p, n * p / parts ..< n * (p + 1) / parts) }
            }
        }
        eachPart { p, elements in
            let c = counts + p * width
            c.initialize(repeating: 0, count: width)
            for i in elements { c[Int((source.key(i) &>> shift32) & mask)] &+= 1 }
        }
        // Each part's first slot in each bucket: buckets in order, parts in order within one.
        var sum: UInt32 = 0
        for d in 0..<width {
            for p in 0..<parts {
                let c = counts[p &* width &+ d]
                counts[p &* width &+ d] = sum
                sum &+= c
            }
        }
        eachPart { p, elements in
            let offsets = counts + p * width
            for i in elements {
                let pair = source.pair(i)
                let d = Int((UInt32(truncatingIfNeeded: pair >> 32) &>> shift32) & mask)
                a[Int(offsets[d])] = pair
                offsets[d] &+= 1
            }
        }
        // The last part's counters are now the ends of the buckets. Part p
        // sorts the buckets that start in its share of the slots.
        let ends = counts + (parts - 1) * width
        eachPart { p, _ in
            let local = bucketCounters + p * 4 * buckets
            var start = 0
            for d in 0..<width {
                let end = Int(ends[d])
                if start * parts / n == p {
                    sortBucket(
                        a + start, b + start, count: end - start, counts: local,
                        output: OffsetSink(base: output, offset: start))
                }
                start = end
            }
        }
    }

    /// LSD counting passes over `digits` on `n` pairs, from `source` (the
    /// first pass), ping-ponging between `a` and `b`; the last pass writes
    /// `output`. `counts` holds the two halves' histograms (`histograms`),
    /// which become bucket starts and ends. The lowest and the highest digit
    /// hold varying bits, so their passes always run; a middle one may be
    /// constant and is skipped.
    @inline(__always)
    static func lsdPairs<Source: RadixPairSource, Sink: RadixPairSink>(
        _ a: UnsafeMutablePointer<UInt64>, _ b: UnsafeMutablePointer<UInt64>, count n: Int, digits: Digits,
        counts: UnsafeMutablePointer<UInt32>, source: Source, output: Sink
    ) {
        let width = digits.buckets, mask = UInt64(digits.mask)
        var active = 0
        for pass in 0..<digits.passes where prefixHalves(counts + 2 * pass * width, buckets: width, total: n) {
            active |= 1 << pass
        }
        var input = a, target = b, first = true
        for pass in 0..<digits.passes where active & (1 << pass) != 0 {
            let last = active >> (pass + 1) == 0
            let offsets = counts + 2 * pass * width, shift = UInt64(32 + digits.shift(pass))
            let from = StoredPairs(base: input), to = StoredPairs(base: target)
            switch (first, last) {
            case (true, true): scatterHalves(n, offsets, width, shift, mask, source: source, output: output)
            case (true, false): scatterHalves(n, offsets, width, shift, mask, source: source, output: to)
            case (false, true): scatterHalves(n, offsets, width, shift, mask, source: from, output: output)
            case (false, false): scatterHalves(n, offsets, width, shift, mask, source: from, output: to)
            }
            first = false
            swap(&input, &target)
        }
    }

    /// The digit histograms of the keys of `n` pairs (at most 3 digits), one
    /// per half of the row: digit `p`'s counters of the first half
    /// (`0 ..< n / 2`) at `counts + 2 p w`, of the second at
    /// `counts + (2 p + 1) w` (`w = digits.buckets`). Two interleaved halves
    /// are two independent chains of counter increments: in a nearly sorted
    /// row (late in training) consecutive keys share their top digits, and
    /// one chain of read-modify-writes of the same counter runs at the
    /// store-to-load forwarding latency.
    @inline(__always)
    static func histograms<Source: RadixPairSource>(
        count n: Int, digits: Digits, counts: UnsafeMutablePointer<UInt32>, source: Source
    ) {
        let width = digits.buckets, mask = UInt32(digits.mask), passes = digits.passes, half = n / 2
        let s0 = UInt32(digits.shift(0)), s1 = UInt32(digits.shift(1)), s2 = UInt32(digits.shift(2))
        counts.initialize(repeating: 0, count: 2 * passes * width)
        let second = counts + width
        // One loop per digit count (no test per key).
        switch passes {
        case 1:
            for j in 0..<half {
                counts[Int((source.key(j) &>> s0) & mask)] &+= 1
                second[Int((source.key(half &+ j) &>> s0) & mask)] &+= 1
            }
        case 2:
            for j in 0..<half {
                let k = source.key(j), q = source.key(half &+ j)
                counts[Int((k &>> s0) & mask)] &+= 1
                counts[2 &* width &+ Int((k &>> s1) & mask)] &+= 1
                second[Int((q &>> s0) & mask)] &+= 1
                second[2 &* width &+ Int((q &>> s1) & mask)] &+= 1
            }
        default:
            for j in 0..<half {
                let k = source.key(j), q = source.key(half &+ j)
                counts[Int((k &>> s0) & mask)] &+= 1
                counts[2 &* width &+ Int((k &>> s1) & mask)] &+= 1
                counts[4 &* width &+ Int((k &>> s2) & mask)] &+= 1
                second[Int((q &>> s0) & mask)] &+= 1
                second[2 &* width &+ Int((q &>> s1) & mask)] &+= 1
                second[4 &* width &+ Int((q &>> s2) & mask)] &+= 1
            }
        }
        if n & 1 != 0 {
            let k = source.key(n - 1)
            second[Int((k &>> s0) & mask)] &+= 1
            if passes > 1 { second[2 &* width &+ Int((k &>> s1) & mask)] &+= 1 }
            if passes > 2 { second[4 &* width &+ Int((k &>> s2) & mask)] &+= 1 }
        }
    }

    /// Turns the two halves' counts of one digit into each bucket's first
    /// slot (at `counts`) and its end (at `counts + buckets`); `false` when
    /// one bucket holds every element (the pass would change nothing).
    @inline(__always)
    static func prefixHalves(_ counts: UnsafeMutablePointer<UInt32>, buckets: Int, total n: Int) -> Bool {
        let second = counts + buckets
        var sum: UInt32 = 0
        for d in 0..<buckets {
            let c = counts[d] &+ second[d]
            if Int(c) == n { return false }
            counts[d] = sum
            sum &+= c
            second[d] = sum
        }
        return true
    }

    /// One stable counting pass (`offsets` from `prefixHalves`): two
    /// independent chains at once, positions `0, 1, ...` forward from each
    /// bucket's first slot and positions `n - 1, n - 2, ...` backward from its
    /// end; they meet where the bucket's last pair from the front half sits
    /// next to its first from the back half, so the order is the stable one.
    /// A pair's bucket is its digit `(pair >> shift) & mask`.
    @inline(__always)
    static func scatterHalves<Source: RadixPairSource, Sink: RadixPairSink>(
        _ n: Int, _ offsets: UnsafeMutablePointer<UInt32>, _ buckets: Int, _ shift: UInt64, _ mask: UInt64,
        source: Source, output: Sink
    ) {
        let half = n / 2, ends = offsets + buckets
        for j in 0..<half {
            let p = source.pair(j), q = source.pair(n &- 1 &- j)
            let dp = Int(truncatingIfNeeded: (p &>> shift) & mask), dq = Int(truncatingIfNeeded: (q &>> shift) & mask)
            let sp = offsets[dp]
            offsets[dp] = sp &+ 1
            let sq = ends[dq] &- 1
            ends[dq] = sq
            output.finish(Int(sp), p)
            output.finish(Int(sq), q)
        }
        if n & 1 != 0 {
            // The middle position, between the two fronts of its bucket.
            let p = source.pair(half)
            output.finish(Int(offsets[Int(truncatingIfNeeded: (p &>> shift) & mask)]), p)
        }
    }

    /// Buckets up to this long are insertion-sorted.
    static let insertionLimit = 32

    /// Sorts the `m` pairs of one MSD bucket at `pairs` (in index order) by
    /// their remaining key bits, using `other` and `counts` (2 halves x 2
    /// digits x 2^11 counters), into `output` (rank `r` of the bucket).
    /// Pairs are distinct, so sorting them as numbers is the stable order.
    static func sortBucket<Sink: RadixPairSink>(
        _ pairs: UnsafeMutablePointer<UInt64>, _ other: UnsafeMutablePointer<UInt64>, count m: Int,
        counts: UnsafeMutablePointer<UInt32>, output: Sink
    ) {
        guard m > 1 else {
            if m == 1 { output.finish(0, pairs[0]) }
            return
        }
        var varying: UInt64 = 0
        let first = pairs[0]
        for i in 1..<m { varying |= pairs[i] ^ first }
        varying >>= 32
        guard varying != 0 else {
            for r in 0..<m { output.finish(r, pairs[r]) }
            return
        }
        if m <= insertionLimit {
            for i in 1..<m {
                let item = pairs[i]
                var j = i
                while j > 0 && pairs[j - 1] > item {
                    pairs[j] = pairs[j - 1]
                    j -= 1
                }
                pairs[j] = item
            }
            for r in 0..<m { output.finish(r, pairs[r]) }
            return
        }
        // Digits about log2(m) bits wide, at least 7: the at most 21 bits
        // below the MSD digit take at most 3 passes, 2 x 2 x 2^11 counters.
        let digits = Digits(varying: varying, maximumBits: min(maximumDigitBits, max(7, Int.bitWidth - m.leadingZeroBitCount)))
        let stored = StoredPairs(base: pairs)
        histograms(count: m, digits: digits, counts: counts, source: stored)
        lsdPairs(pairs, other, count: m, digits: digits, counts: counts, source: stored, output: output)
    }
}
