/// A stable LSD radix argsort of one row of `Float` or `Double` scores: the
/// same permutation as `stableArgsort` (values descending or ascending, equal
/// values by index, `-0 == +0`), in a few linear passes.
///
/// Each score becomes an order-preserving unsigned key: `-0` is first made
/// `+0` (the comparison sort sees them equal, so they tie and go by index);
/// a negative number has all its bits flipped, a non-negative one its sign bit
/// set; descending order complements the key.
///
/// Only the key bits that differ somewhere in the row are sorted on: one
/// vectorised pass ORs `key_i ^ key_0` over the row, and the bits from its
/// lowest to its highest set bit (width `w`) are split into
/// `ceil(w / 11)` digits of equal width (`Digits`). Scores in `[0, 1]` share
/// their sign and top exponent bits, so a row of `n = 4000` of them sorts on
/// about 27 bits in three passes of 9-bit digits (512 counters each, in L1)
/// instead of 11-bit ones; `Double` scores that came from `Float` have their
/// 29 low bits constant. Stable counting passes over those digits, least
/// significant first, then sort (key, index) pairs by key with ties in
/// index order. All digit histograms come from one read of the scores; a
/// pass whose digit is the same for every key is still skipped. Histograms
/// count the two halves of the row interleaved, in counters of their own,
/// and each pass places the front half forward from every bucket's start
/// and the back half backward from its end, interleaved: two independent
/// chains of counter updates instead of one, which matters when
/// consecutive keys share a digit (a nearly sorted row late in training).
///
/// When the varying bits fit 32 (always for `Float`, and for `Double` rows
/// such as `Double`s that came from `Float`s) the pair is one `UInt64`
/// (varying key bits high, index low), at most 3 passes; the constant key
/// bits are put back when the sorted scores are decoded. Otherwise
/// (`Double`) keys and `UInt32` indices travel in separate arrays, at most 6
/// passes. The first counting pass of a pair sort reads the scores itself,
/// and the last pass of every sort writes the order and the sorted scores
/// directly. Pair rows of at least `msdMinimumCount` elements (beyond L2)
/// run one MSD pass on their top 11 varying bits first, then sort each
/// bucket on its own while it is in cache (LSD on digits of about
/// `log2(bucket)` bits, insertion sort up to `insertionLimit` pairs: the
/// pairs are distinct numbers, so any sort of them is the stable order).
/// Scores are finite (validation guarantees it).
///
/// - Complexity: O(n) time per pass, `scratchWords(count:)` words of caller
///   scratch, no allocation.
enum RadixArgsort {
    /// The widest digit: 2^11 counters (8 KiB) per pass.
    static let maximumDigitBits = 11
    static let buckets = 1 << maximumDigitBits
    /// Below this many elements the introsort is faster than the histogram
    /// passes (measured with `simd-bench scan`, the `sort` rows).
    static let minimumCount = 96

    /// Rows from this long start with an MSD pass (measured: below it the
    /// buckets are too short to pay for their own histograms).
    static let msdMinimumCount = 1 << 19

    /// `UInt64` words of scratch one row of `count` elements needs: two pair
    /// arrays (or two key arrays and two index arrays) and the histograms.
    static func scratchWords(count: Int) -> Int { 3 * count + 3 * buckets }

    /// `order[r]` = the index of rank `r`, `sorted[r * stride]` its score;
    /// `scratch` holds `scratchWords(count: n)` words.
    @inline(__always)
    static func sort<T: BinaryFloatingPoint>(
        _ values: UnsafePointer<T>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<T>? = nil, stride: Int = 1,
        scratch: UnsafeMutableRawPointer
    ) {
        precondition(n <= Int(UInt32.max), "radix argsort indexes rows with UInt32")
        if MemoryLayout<T>.size == 4 {
            sort32(
                UnsafeRawPointer(values).assumingMemoryBound(to: UInt32.self), count: n,
                descending: descending, order: order,
                sorted: sorted.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt32.self) },
                stride: stride, scratch: scratch)
        } else {
            sort64(
                UnsafeRawPointer(values).assumingMemoryBound(to: UInt64.self), count: n,
                descending: descending, order: order,
                sorted: sorted.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt64.self) },
                stride: stride, scratch: scratch)
        }
    }

    // MARK: Keys

    /// The order-preserving key of a `Float`'s bits (`-0` as `+0`).
    @inline(__always)
    static func key32(_ bits: UInt32, descending: Bool) -> UInt32 {
        key32(bits, flip: descending ? 0xffff_ffff : 0)
    }

    /// `key32` with the descending complement as a mask (all ones or zero).
    @inline(__always)
    static func key32(_ bits: UInt32, flip: UInt32) -> UInt32 {
        let b = bits & 0x7fff_ffff == 0 ? 0 : bits
        // All ones for a negative number, zero otherwise.
        let negative = UInt32(bitPattern: Int32(bitPattern: b) >> 31)
        return b ^ (negative | 0x8000_0000) ^ flip
    }

    /// The bits of the `Float` whose key is `key` (`-0` comes back as `+0`).
    @inline(__always)
    static func bits32(_ key: UInt32, descending: Bool) -> UInt32 {
        bits32(key, flip: descending ? 0xffff_ffff : 0)
    }

    /// `bits32` with the descending complement as a mask.
    @inline(__always)
    static func bits32(_ key: UInt32, flip: UInt32) -> UInt32 {
        let k = key ^ flip
        // A key with its top bit set is a non-negative number, else a negative one.
        let negative = UInt32(bitPattern: Int32(bitPattern: k) >> 31) ^ 0xffff_ffff
        return k ^ (negative | 0x8000_0000)
    }

    /// The order-preserving key of a `Double`'s bits (`-0` as `+0`).
    @inline(__always)
    static func key64(_ bits: UInt64, descending: Bool) -> UInt64 {
        let b = bits & 0x7fff_ffff_ffff_ffff == 0 ? 0 : bits
        let negative = UInt64(bitPattern: Int64(bitPattern: b) >> 63)
        return b ^ (negative | 0x8000_0000_0000_0000) ^ (descending ? ~0 : 0)
    }

    /// The bits of the `Double` whose key is `key` (`-0` comes back as `+0`).
    @inline(__always)
    static func bits64(_ key: UInt64, descending: Bool) -> UInt64 { bits64(key, flip: descending ? ~0 : 0) }

    /// `bits64` with the descending complement as a mask.
    @inline(__always)
    static func bits64(_ key: UInt64, flip: UInt64) -> UInt64 {
        let k = key ^ flip
        let negative = UInt64(bitPattern: Int64(bitPattern: k) >> 63) ^ ~0
        return k ^ (negative | 0x8000_0000_0000_0000)
    }

    /// `OR_i (key_i ^ key_0)`: the key bits that are not the same in every
    /// element (a branch-free loop the compiler vectorises).
    static func varyingBits32(_ bits: UnsafePointer<UInt32>, count n: Int) -> UInt32 {
        // The descending complement flips every key alike: it changes no XOR.
        let first = key32(bits[0], descending: false)
        var result: UInt32 = 0
        for i in 0..<n { result |= key32(bits[i], descending: false) ^ first }
        return result
    }

    /// `OR_i (key_i ^ key_0)` for `Double` keys.
    static func varyingBits64(_ bits: UnsafePointer<UInt64>, count n: Int) -> UInt64 {
        let first = key64(bits[0], descending: false)
        let raw = UnsafeRawPointer(bits)
        var any = SIMD4<UInt64>(repeating: 0)
        let firstVector = SIMD4<UInt64>(repeating: first), sign = SIMD4<UInt64>(repeating: 0x8000_0000_0000_0000)
        var i = 0
        while i + 4 <= n {
            let v = raw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<UInt64>.self)
            let nonZero = SIMD4<Int64>(truncatingIfNeeded: (v & 0x7fff_ffff_ffff_ffff) &+ 0x7fff_ffff_ffff_ffff) &>> 63
            let b = v & SIMD4<UInt64>(truncatingIfNeeded: nonZero)
            let negative = SIMD4<UInt64>(truncatingIfNeeded: SIMD4<Int64>(truncatingIfNeeded: b) &>> 63)
            any |= b ^ (negative | sign) ^ firstVector
            i += 4
        }
        var result = any[0] | any[1] | any[2] | any[3]
        while i < n {
            result |= key64(bits[i], descending: false) ^ first
            i += 1
        }
        return result
    }

    /// The digits of a sort on the varying key bits: `passes` digits of
    /// `bits` bits from bit `low` up, covering the lowest to the highest
    /// varying bit (the top digit may reach past it into constant bits).
    struct Digits {
        let low: Int
        let bits: Int
        let passes: Int

        /// `varying` is non-zero; digits at most `maximumBits` wide.
        @inline(__always)
        init(varying: UInt64, maximumBits: Int = maximumDigitBits) {
            low = varying.trailingZeroBitCount
            let width = UInt64.bitWidth - varying.leadingZeroBitCount - low
            passes = (width + maximumBits - 1) / maximumBits
            bits = (width + passes - 1) / passes
        }

        @inline(__always) var mask: Int { (1 << bits) - 1 }
        @inline(__always) var buckets: Int { 1 << bits }
        @inline(__always) func shift(_ pass: Int) -> Int { low + pass * bits }
    }

    /// Turns counts into exclusive prefix sums; `false` when one bucket holds
    /// every element (the pass would change nothing).
    @inline(__always)
    static func prefix(_ counts: UnsafeMutablePointer<UInt32>, buckets: Int, total n: Int) -> Bool {
        var sum: UInt32 = 0
        for d in 0..<buckets {
            let c = counts[d]
            if Int(c) == n { return false }
            counts[d] = sum
            sum &+= c
        }
        return true
    }

    // MARK: Pairs (keys of at most 32 varying bits)

    static func sort32(
        _ bits: UnsafePointer<UInt32>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<UInt32>?, stride: Int,
        scratch: UnsafeMutableRawPointer
    ) {
        guard n > 0 else { return }
        let varying = varyingBits32(bits, count: n)
        guard varying != 0 else {
            // Every key is the same: the identity (ties by index).
            for r in 0..<n { order[r] = r }
            if let sorted {
                for r in 0..<n { sorted[r &* stride] = bits32(key32(bits[r], descending: descending), descending: descending) }
            }
            return
        }
        let flip: UInt32 = descending ? 0xffff_ffff : 0, digits = Digits(varying: UInt64(varying))
        // The key flip and the optional output are fixed outside the loops.
        if let sorted {
            sortPairs(
                count: n, digits: digits, order: order, scratch: scratch, key: { i in key32(bits[i], flip: flip) },
                finish: { slot, pair in
                    order[slot] = Int(truncatingIfNeeded: pair & 0xffff_ffff)
                    sorted[slot &* stride] = bits32(UInt32(truncatingIfNeeded: pair >> 32), flip: flip)
                })
        } else {
            sortPairs(
                count: n, digits: digits, order: order, scratch: scratch, key: { i in key32(bits[i], flip: flip) },
                finish: { slot, pair in order[slot] = Int(truncatingIfNeeded: pair & 0xffff_ffff) })
        }
    }

    /// The stable sort of (key, index) pairs packed in one `UInt64`, key
    /// high: `key(i)` is element `i`'s key (its varying bits within
    /// `digits`), `finish(slot, pair)` stores rank `slot`. Rows below
    /// `msdMinimumCount` run LSD passes over the whole row (`lsdPairs`);
    /// longer ones one MSD pass on the top 11 varying bits, then each bucket
    /// on its own while it is in cache (`sortBucket`).
    @inline(__always)
    static func sortPairs(
        count n: Int, digits: Digits, order: UnsafeMutablePointer<Int>, scratch: UnsafeMutableRawPointer,
        key: (Int) -> UInt32, finish: (Int, UInt64) -> Void
    ) {
        let source = scratch.assumingMemoryBound(to: UInt64.self)
        let target = source + n
        let counts = UnsafeMutableRawPointer(target + n).assumingMemoryBound(to: UInt32.self)
        if n >= msdMinimumCount && digits.passes > 1 {
            // MSD: the top `maximumDigitBits` varying bits, into `source`.
            // (The digits may reach past bit 31 into nothing.)
            let high = min(digits.low + digits.passes * digits.bits, UInt32.bitWidth)
            let topShift = max(high - maximumDigitBits, digits.low)
            let width = 1 << (high - topShift), mask = UInt32(width - 1), shift32 = UInt32(topShift)
            counts.initialize(repeating: 0, count: width)
            for i in 0..<n { counts[Int((key(i) &>> shift32) & mask)] &+= 1 }
            _ = prefix(counts, buckets: width, total: n + 1)
            scatter(n, counts, UInt64(32 + topShift), UInt64(mask),
                    read: { i in UInt64(key(i)) << 32 | UInt64(truncatingIfNeeded: i) },
                    write: { slot, pair in source[slot] = pair })
            // `counts[d]` is now the end of bucket `d`.
            var start = 0
            for d in 0..<width {
                let end = Int(counts[d])
                sortBucket(source + start, target + start, count: end - start, counts: counts + width) { r, pair in
                    finish(start + r, pair)
                }
                start = end
            }
            return
        }
        // One read of the scores for every histogram; the keys are recomputed
        // by the first pass instead of stored here.
        histograms(count: n, digits: digits, counts: counts, key: key)
        lsdPairs(
            source, target, count: n, digits: digits, counts: counts,
            read: { i in UInt64(key(i)) << 32 | UInt64(truncatingIfNeeded: i) }, finish: finish)
    }

    /// LSD counting passes over `digits` on `n` pairs, from `read(i)` (the
    /// first pass), ping-ponging between `a` and `b`; the last pass hands
    /// rank `slot`'s pair to `finish`. `counts` holds the two halves'
    /// histograms (`histograms`), which become bucket starts and ends. The lowest and the highest digit hold
    /// varying bits, so their passes always run; a middle one may be constant
    /// and is skipped.
    @inline(__always)
    static func lsdPairs(
        _ a: UnsafeMutablePointer<UInt64>, _ b: UnsafeMutablePointer<UInt64>, count n: Int, digits: Digits,
        counts: UnsafeMutablePointer<UInt32>, read: (Int) -> UInt64, finish: (Int, UInt64) -> Void
    ) {
        let width = digits.buckets, mask = UInt64(digits.mask)
        var active = 0
        for pass in 0..<digits.passes where prefixHalves(counts + 2 * pass * width, buckets: width, total: n) {
            active |= 1 << pass
        }
        var input = a, output = b, first = true
        for pass in 0..<digits.passes where active & (1 << pass) != 0 {
            let last = active >> (pass + 1) == 0
            let offsets = counts + 2 * pass * width, shift = UInt64(32 + digits.shift(pass))
            let from = input, to = output
            switch (first, last) {
            case (true, true): scatterHalves(n, offsets, width, shift, mask, read: read, write: finish)
            case (true, false):
                scatterHalves(n, offsets, width, shift, mask, read: read, write: { slot, pair in to[slot] = pair })
            case (false, true): scatterHalves(n, offsets, width, shift, mask, read: { i in from[i] }, write: finish)
            case (false, false):
                scatterHalves(n, offsets, width, shift, mask, read: { i in from[i] }, write: { slot, pair in to[slot] = pair })
            }
            first = false
            swap(&input, &output)
        }
    }

    /// The digit histograms of `n` keys `key(i)` (at most 3 digits), one per
    /// half of the row: digit `p`'s counters of the first half (`0 ..< n / 2`)
    /// at `counts + 2 p w`, of the second at `counts + (2 p + 1) w`
    /// (`w = digits.buckets`). Two interleaved halves are two independent
    /// chains of counter increments: in a nearly sorted row (late in
    /// training) consecutive keys share their top digits, and one chain of
    /// read-modify-writes of the same counter runs at the store-to-load
    /// forwarding latency.
    @inline(__always)
    static func histograms(count n: Int, digits: Digits, counts: UnsafeMutablePointer<UInt32>, key: (Int) -> UInt32) {
        let width = digits.buckets, mask = UInt32(digits.mask), passes = digits.passes, half = n / 2
        let s0 = UInt32(digits.shift(0)), s1 = UInt32(digits.shift(1)), s2 = UInt32(digits.shift(2))
        counts.initialize(repeating: 0, count: 2 * passes * width)
        let second = counts + width
        // One loop per digit count (no test per key).
        switch passes {
        case 1:
            for j in 0..<half {
                counts[Int((key(j) &>> s0) & mask)] &+= 1
                second[Int((key(half &+ j) &>> s0) & mask)] &+= 1
            }
        case 2:
            for j in 0..<half {
                let k = key(j), q = key(half &+ j)
                counts[Int((k &>> s0) & mask)] &+= 1
                counts[2 &* width &+ Int((k &>> s1) & mask)] &+= 1
                second[Int((q &>> s0) & mask)] &+= 1
                second[2 &* width &+ Int((q &>> s1) & mask)] &+= 1
            }
        default:
            for j in 0..<half {
                let k = key(j), q = key(half &+ j)
                counts[Int((k &>> s0) & mask)] &+= 1
                counts[2 &* width &+ Int((k &>> s1) & mask)] &+= 1
                counts[4 &* width &+ Int((k &>> s2) & mask)] &+= 1
                second[Int((q &>> s0) & mask)] &+= 1
                second[2 &* width &+ Int((q &>> s1) & mask)] &+= 1
                second[4 &* width &+ Int((q &>> s2) & mask)] &+= 1
            }
        }
        if n & 1 != 0 {
            let k = key(n - 1)
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
    /// Pair `read(i)`'s bucket is its digit `(pair >> shift) & mask`.
    @inline(__always)
    static func scatterHalves(
        _ n: Int, _ offsets: UnsafeMutablePointer<UInt32>, _ buckets: Int, _ shift: UInt64, _ mask: UInt64,
        read: (Int) -> UInt64, write: (Int, UInt64) -> Void
    ) {
        let half = n / 2, ends = offsets + buckets
        for j in 0..<half {
            let p = read(j), q = read(n &- 1 &- j)
            let dp = Int(truncatingIfNeeded: (p &>> shift) & mask), dq = Int(truncatingIfNeeded: (q &>> shift) & mask)
            let sp = offsets[dp]
            offsets[dp] = sp &+ 1
            let sq = ends[dq] &- 1
            ends[dq] = sq
            write(Int(sp), p)
            write(Int(sq), q)
        }
        if n & 1 != 0 {
            // The middle position, between the two fronts of its bucket.
            let p = read(half)
            write(Int(offsets[Int(truncatingIfNeeded: (p &>> shift) & mask)]), p)
        }
    }

    /// Buckets up to this long are insertion-sorted.
    static let insertionLimit = 32

    /// Sorts the `m` pairs of one MSD bucket at `pairs` (in index order) by
    /// their remaining key bits, using `other` and `counts` (2 halves x 2
    /// digits x 2^11 counters), and hands rank `r` of the bucket to `finish(r, pair)`.
    /// Pairs are distinct, so sorting them as numbers is the stable order.
    static func sortBucket(
        _ pairs: UnsafeMutablePointer<UInt64>, _ other: UnsafeMutablePointer<UInt64>, count m: Int,
        counts: UnsafeMutablePointer<UInt32>, finish: (Int, UInt64) -> Void
    ) {
        guard m > 1 else {
            if m == 1 { finish(0, pairs[0]) }
            return
        }
        var varying: UInt64 = 0
        let first = pairs[0]
        for i in 1..<m { varying |= pairs[i] ^ first }
        varying >>= 32
        guard varying != 0 else {
            for r in 0..<m { finish(r, pairs[r]) }
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
            for r in 0..<m { finish(r, pairs[r]) }
            return
        }
        // Digits about log2(m) bits wide, at least 7: the at most 21 bits
        // below the MSD digit take at most 3 passes, 2 x 2 x 2^11 counters.
        let digits = Digits(varying: varying, maximumBits: min(maximumDigitBits, max(7, Int.bitWidth - m.leadingZeroBitCount)))
        histograms(count: m, digits: digits, counts: counts) { i in UInt32(truncatingIfNeeded: pairs[i] >> 32) }
        lsdPairs(pairs, other, count: m, digits: digits, counts: counts, read: { i in pairs[i] }, finish: finish)
    }

    /// One stable counting pass: element `i`'s pair `read(i)` goes to the
    /// next slot of its digit `(pair >> shift) & mask`.
    @inline(__always)
    static func scatter(
        _ n: Int, _ offsets: UnsafeMutablePointer<UInt32>, _ shift: UInt64, _ mask: UInt64,
        read: (Int) -> UInt64, write: (Int, UInt64) -> Void
    ) {
        for i in 0..<n {
            let pair = read(i)
            let d = Int(truncatingIfNeeded: (pair &>> shift) & mask)
            write(Int(offsets[d]), pair)
            offsets[d] &+= 1
        }
    }

    // MARK: Double

    static func sort64(
        _ bits: UnsafePointer<UInt64>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<UInt64>?, stride: Int,
        scratch: UnsafeMutableRawPointer
    ) {
        guard n > 0 else { return }
        let varying = varyingBits64(bits, count: n)
        guard varying != 0 else {
            for r in 0..<n { order[r] = r }
            if let sorted {
                for r in 0..<n { sorted[r &* stride] = bits64(key64(bits[r], descending: descending), descending: descending) }
            }
            return
        }
        let digits = Digits(varying: varying)
        if UInt64.bitWidth - varying.leadingZeroBitCount - digits.low <= 32 {
            // The varying bits fit a 32-bit key: sort (key bits low ..< low + 32, index) pairs;
            // the constant bits come back from the first key.
            let low = UInt64(digits.low)
            let constant = key64(bits[0], descending: descending) & ~(UInt64(0xffff_ffff) << low)
            sortPairs(
                count: n, digits: Digits(varying: varying >> low), order: order, scratch: scratch,
                key: { i in UInt32(truncatingIfNeeded: key64(bits[i], descending: descending) &>> low) },
                finish: { slot, pair in
                    order[slot] = Int(truncatingIfNeeded: pair & 0xffff_ffff)
                    sorted?[slot &* stride] = bits64(constant | (pair >> 32) << low, descending: descending)
                })
            return
        }
        sortKeys64(
            bits, count: n, descending: descending, digits: digits, order: order, sorted: sorted, stride: stride,
            scratch: scratch)
    }

    /// `Double` keys with more than 32 varying bits: keys and `UInt32`
    /// indices in separate arrays. The histogram pass stores the keys and
    /// indices (measured faster here than recomputing the keys in the first
    /// counting pass); the last pass writes the order and the sorted scores.
    static func sortKeys64(
        _ bits: UnsafePointer<UInt64>, count n: Int, descending: Bool, digits: Digits,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<UInt64>?, stride: Int,
        scratch: UnsafeMutableRawPointer
    ) {
        var keys = scratch.assumingMemoryBound(to: UInt64.self)
        var keysOut = keys + n
        let indexBase = UnsafeMutableRawPointer(keysOut + n).assumingMemoryBound(to: UInt32.self)
        var index = indexBase, indexOut = indexBase + n
        let counts = indexBase + 2 * n
        let width = digits.buckets, mask = UInt64(digits.mask), passes = digits.passes
        let flip: UInt64 = descending ? ~0 : 0
        counts.initialize(repeating: 0, count: passes * width)
        for i in 0..<n {
            let key = key64(bits[i], descending: descending)
            keys[i] = key
            index[i] = UInt32(truncatingIfNeeded: i)
            var histogram = counts, shift = UInt64(digits.low)
            for _ in 0..<passes {
                histogram[Int(truncatingIfNeeded: (key &>> shift) & mask)] &+= 1
                histogram += width
                shift &+= UInt64(digits.bits)
            }
        }
        var active = 0
        for pass in 0..<passes where prefix(counts + pass * width, buckets: width, total: n) { active |= 1 << pass }
        // The lowest and the highest digit hold varying bits: their passes run.
        for pass in 0..<passes where active & (1 << pass) != 0 {
            let offsets = counts + pass * width, shift = UInt64(digits.shift(pass))
            let fromKeys = keys, fromIndex = index, toKeys = keysOut, toIndex = indexOut
            if active >> (pass + 1) == 0 {
                for i in 0..<n {
                    let key = fromKeys[i]
                    let d = Int(truncatingIfNeeded: (key &>> shift) & mask)
                    let slot = Int(offsets[d])
                    order[slot] = Int(fromIndex[i])
                    sorted?[slot &* stride] = bits64(key, flip: flip)
                    offsets[d] &+= 1
                }
                return
            }
            for i in 0..<n {
                let key = fromKeys[i]
                let d = Int(truncatingIfNeeded: (key &>> shift) & mask)
                let slot = Int(offsets[d])
                toKeys[slot] = key
                toIndex[slot] = fromIndex[i]
                offsets[d] &+= 1
            }
            swap(&keys, &keysOut)
            swap(&index, &indexOut)
        }
    }
}
