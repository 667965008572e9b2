import Testing
@testable import SoftSortKit

/// The radix argsort against the introsort (`stableArgsort`), which it
/// replaces: the permutations must be equal element for element.
@Suite("Radix argsort")
struct RadixArgsortTests {
    /// The introsort's and the radix sort's permutations of `values` (the
    /// radix sort's long rows in `threads` parts).
    static func both<T: VectorScalar>(
        _ values: [T], direction: SortDirection, threads: Int = 1
    ) -> (intro: [Int], radix: [Int]) {
        let n = values.count
        var intro = [Int](repeating: -1, count: n), radix = [Int](repeating: -1, count: n)
        let scratch = UnsafeMutableRawPointer.allocate(
            byteCount: 8 * SortedRows.scratchWords(count: n), alignment: 8)
        defer { scratch.deallocate() }
        values.withUnsafeBufferPointer { v in
            intro.withUnsafeMutableBufferPointer { stableArgsort(v, direction: direction, into: $0) }
            var sorted = [T](repeating: .nan, count: n)
            radix.withUnsafeMutableBufferPointer { o in
                sorted.withUnsafeMutableBufferPointer { out in
                    if let base = v.baseAddress {
                        RadixArgsort.sort(
                            base, count: n, descending: direction == .descending, order: o.baseAddress!,
                            sorted: out.baseAddress!, scratch: scratch,
                            parallel: BatchScheduler(threads: threads).helpers(forItems: 1))
                    }
                }
            }
            // The values decoded from the keys equal the gathered ones (`-0` comes back as `+0`).
            #expect(sorted == radix.map { values[$0] })
            #expect(!sorted.contains { $0 == 0 && $0.sign == .minus })
        }
        return (intro, radix)
    }

    /// Inputs of `n` values: distinct, heavy ties, signed zeros, huge and tiny magnitudes.
    static func inputs(_ n: Int, seed: UInt64) -> [String: [Double]] {
        var g = TestRandom(seed: seed)
        let tiesPool: [Double] = [-2, -1, -0.0, 0, 0.5, 1]
        return [
            "uniform": (0..<n).map { _ in g.uniform(-1e3, 1e3) },
            "ties": (0..<n).map { _ in tiesPool[Int(g.next() % 6)] },
            "zeros": (0..<n).map { _ in g.next() % 2 == 0 ? -0.0 : 0.0 },
            "huge": (0..<n).map { _ in (g.next() % 2 == 0 ? -1 : 1) * Double(Float.greatestFiniteMagnitude) * g.uniform(0, 1) },
            "tiny": (0..<n).map { _ in g.uniform(-1, 1) * 1e-40 },  // Float subnormals
            "constant": [Double](repeating: 3.25, count: n),
            "mixed": (0..<n).map { _ in g.uniform(-1, 1) * [1e-30, 1, 1e30][Int(g.next() % 3)] },
            // Scores in [0, 1]: sign and top exponent bits constant, about 27 varying bits.
            "unit": (0..<n).map { _ in g.uniform(0, 1) },
            // Two neighbouring Floats: one varying bit.
            "twoValues": (0..<n).map { _ in g.next() % 2 == 0 ? 1 : Double(Float(1).nextUp) },
            // The largest finite magnitudes of both signs, zeros and the smallest subnormals.
            "extremes": (0..<n).map { _ in
                [Double(Float.greatestFiniteMagnitude), -Double(Float.greatestFiniteMagnitude),
                 Double(Float.leastNonzeroMagnitude), -Double(Float.leastNonzeroMagnitude), 0, -0.0][Int(g.next() % 6)]
            },
            // Key bits 0, 1 and 26 vary (last mantissa bits, exponent + 8): three 9-bit digits, the middle constant.
            "band": (0..<n).map { _ in (1 + Double(g.next() % 4) * 0x1p-23) * (g.next() % 2 == 0 ? 1 : 256) },
        ]
    }

    @Test(arguments: [1, 2, 7, 8, 9, 95, 96, 97, 1000, 4000, 4097])
    func floatMatchesIntrosort(count: Int) {
        for (name, values) in Self.inputs(count, seed: UInt64(count)) {
            for direction in [SortDirection.descending, .ascending] {
                let (intro, radix) = Self.both(values.map { Float($0) }, direction: direction)
                #expect(intro == radix, "\(name) \(direction) n = \(count)")
            }
        }
    }

    @Test(arguments: [1, 2, 7, 8, 9, 95, 96, 97, 1000, 4000, 4097])
    func doubleMatchesIntrosort(count: Int) {
        for (name, values) in Self.inputs(count, seed: UInt64(count) &+ 99) {
            for direction in [SortDirection.descending, .ascending] {
                let (intro, radix) = Self.both(values, direction: direction)
                #expect(intro == radix, "\(name) \(direction) n = \(count)")
                // Doubles that came from Float: the low digits are constant and those passes are skipped.
                let rounded = values.map { Double(Float($0)) }
                let (intro2, radix2) = Self.both(rounded, direction: direction)
                #expect(intro2 == radix2, "rounded \(name) \(direction) n = \(count)")
            }
        }
    }

    /// Rows of `msdMinimumCount` and more start with an MSD pass and sort each
    /// bucket on its own (insertion sort, LSD on bucket-sized digits, constant
    /// buckets): the permutation still equals the introsort's.
    @Test(arguments: [RadixArgsort.msdMinimumCount - 1, RadixArgsort.msdMinimumCount])
    func longRowsMatchIntrosort(count: Int) {
        let all = Self.inputs(count, seed: 17)
        for name in ["unit", "uniform", "ties", "mixed", "band"] {
            let values = all[name]!
            for direction in [SortDirection.descending, .ascending] {
                let (intro, radix) = Self.both(values.map { Float($0) }, direction: direction)
                #expect(intro == radix, "Float \(name) \(direction) n = \(count)")
            }
            // Doubles from Float take the same pair path; full Doubles the key arrays.
            let (intro, radix) = Self.both(values.map { Double(Float($0)) }, direction: .descending)
            #expect(intro == radix, "Double from Float \(name) n = \(count)")
        }
    }

    /// A long row's MSD sort on 2 and 3 threads (each part counts and
    /// scatters its own elements, then sorts its own buckets): the same
    /// permutation and sorted scores as the introsort, on an odd length too.
    @Test(arguments: [2, 3])
    func longRowsInPartsMatchIntrosort(threads: Int) {
        for count in [RadixArgsort.msdMinimumCount, RadixArgsort.msdMinimumCount + 3] {
            let all = Self.inputs(count, seed: UInt64(threads))
            for name in ["unit", "ties", "mixed"] {
                let values = all[name]!
                for direction in [SortDirection.descending, .ascending] {
                    let (intro, radix) = Self.both(values.map { Float($0) }, direction: direction, threads: threads)
                    #expect(intro == radix, "Float \(name) \(direction) n = \(count), \(threads) threads")
                }
                let (intro, radix) = Self.both(values.map { Double(Float($0)) }, direction: .ascending, threads: threads)
                #expect(intro == radix, "Double from Float \(name) n = \(count), \(threads) threads")
            }
        }
    }

    /// With a stride the sorted scores land in one lane of a block layout
    /// (`sorted[r * stride]`), for both sorts, and nothing between is written.
    @Test(arguments: [5, 96, 4000])
    func stridedSortedScores(count: Int) {
        var g = TestRandom(seed: 23)
        let values = (0..<count).map { _ in Float(g.uniform(0, 1)) }
        let stride = 3
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 8 * SortedRows.scratchWords(count: count), alignment: 16)
        defer { scratch.deallocate() }
        var order = [Int](repeating: -1, count: count)
        var lanes = [Float](repeating: -7, count: stride * count)
        values.withUnsafeBufferPointer { v in
            order.withUnsafeMutableBufferPointer { o in
                lanes.withUnsafeMutableBufferPointer { out in
                    SortedRows.sort(
                        v.baseAddress!, count: count, direction: .descending, order: o.baseAddress!,
                        sorted: out.baseAddress! + 1, stride: stride, scratch: scratch)
                }
            }
        }
        #expect(order == Reference.order(values.map(Double.init), direction: .descending))
        #expect((0..<count).map { lanes[1 + stride * $0] } == order.map { values[$0] })
        #expect((0..<count).allSatisfy { lanes[stride * $0] == -7 && lanes[2 + stride * $0] == -7 })
    }

    /// The digits cover exactly the varying bits: `low` is the lowest one,
    /// at most 11 bits a digit, equal widths.
    @Test func digitsCoverTheVaryingBits() {
        for varying: UInt64 in [1, 0b110, 0x7ff, 0x800, 0x3ff_ffff << 3, 0xffff_ffff, 1 << 63, ~0] {
            let digits = RadixArgsort.Digits(varying: varying)
            let high = UInt64.bitWidth - varying.leadingZeroBitCount
            #expect(digits.low == varying.trailingZeroBitCount)
            #expect(digits.bits <= RadixArgsort.maximumDigitBits)
            #expect(digits.low + digits.passes * digits.bits >= high)
            #expect(digits.low + (digits.passes - 1) * digits.bits < high)
        }
    }

    /// The public `argsort` (every path's sort) agrees with the Double reference order.
    @Test func publicArgsortMatchesReference() throws {
        var g = TestRandom(seed: 5)
        let batch = 3, n = 300
        let scores = (0..<batch * n).map { _ in Double(Int(g.next() % 50)) - 25 }
        for direction in [SortDirection.descending, .ascending] {
            let order = try argsort(scores, batch: batch, count: n, direction: direction)
            for b in 0..<batch {
                let expected = Reference.order(Array(scores[b * n ..< (b + 1) * n]), direction: direction)
                #expect(Array(order[b * n ..< (b + 1) * n]) == expected)
            }
        }
    }
}
