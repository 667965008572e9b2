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
/// pairs are distinct numbers, so any sort of them is the stable order;
/// `RadixPairSort.swift`). Given a scheduler whose threads are idle
/// (`BatchScheduler.helpers(forItems:)`), that MSD sort runs in parts on
/// them, with the same result. Scores are finite (validation guarantees it).
///
/// - Complexity: O(n) time per pass, `scratchWords(count:)` words of caller
///   scratch, no allocation (in parts, `concurrentPerform` itself allocates
///   a few blocks per parallel loop).
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
        scratch: UnsafeMutableRawPointer, parallel: BatchScheduler? = nil
    ) {
        precondition(n <= Int(UInt32.max), "radix argsort indexes rows with UInt32")
        if MemoryLayout<T>.size == 4 {
            sort32(
                UnsafeRawPointer(values).assumingMemoryBound(to: UInt32.self), count: n,
                descending: descending, order: order,
                sorted: sorted.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt32.self) },
                stride: stride, scratch: scratch, parallel: parallel)
        } else {
            sort64(
                UnsafeRawPointer(values).assumingMemoryBound(to: UInt64.self), count: n,
                descending: descending, order: order,
                sorted: sorted.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt64.self) },
                stride: stride, scratch: scratch, parallel: parallel)
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

    // MARK: Float (keys of at most 32 varying bits: pairs, `RadixPairSort.swift`)

    static func sort32(
        _ bits: UnsafePointer<UInt32>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<UInt32>?, stride: Int,
        scratch: UnsafeMutableRawPointer, parallel: BatchScheduler?
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
        let keys = FloatKeys(bits: bits, flip: flip)
        if let sorted {
            sortPairs(
                count: n, digits: digits, scratch: scratch, parallel: parallel, source: keys,
                output: FloatRanks(order: order, sorted: sorted, stride: stride, flip: flip))
        } else {
            sortPairs(
                count: n, digits: digits, scratch: scratch, parallel: parallel, source: keys,
                output: OrderOnly(order: order))
        }
    }

    // MARK: Double

    static func sort64(
        _ bits: UnsafePointer<UInt64>, count n: Int, descending: Bool,
        order: UnsafeMutablePointer<Int>, sorted: UnsafeMutablePointer<UInt64>?, stride: Int,
        scratch: UnsafeMutableRawPointer, parallel: BatchScheduler?
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
            let flip: UInt64 = descending ? ~0 : 0
            sortPairs(
                count: n, digits: Digits(varying: varying >> low), scratch: scratch, parallel: parallel,
                source: DoubleKeys(bits: bits, flip: flip, low: low),
                output: DoubleRanks(order: order, sorted: sorted, stride: stride, flip: flip, constant: constant, low: low))
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
