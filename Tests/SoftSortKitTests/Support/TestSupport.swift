@testable import SoftSortKit

/// A small seeded generator so test inputs repeat exactly.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return GumbelNoise.mix(state)
    }
    /// Uniform in [low, high).
    mutating func uniform(_ low: Double = -1, _ high: Double = 1) -> Double {
        low + (high - low) * Double(next() >> 11) * 0x1p-53
    }
    /// `count` values uniform in [-1, 1).
    mutating func uniformValues(_ count: Int) -> [Double] { (0..<count).map { _ in uniform() } }

    /// `count` distinct values (no ties) in `[0, spread)`: a shuffled grid with jitter.
    mutating func distinct(_ count: Int, spread: Double = 1) -> [Double] {
        var values = (0..<count).map { spread * (Double($0) + 0.2 + 0.6 * uniform(0, 1)) / Double(max(count, 1)) }
        shuffle(&values)
        return values
    }

    /// Fisher-Yates: every order of `values` equally likely (up to the
    /// modulo bias of `next() % (i + 1)`, below 2^-50 here).
    mutating func shuffle<Element>(_ values: inout [Element]) {
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, Int(next() % UInt64(i + 1)))
        }
    }

    /// A uniformly random permutation of `0 ..< count`.
    mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order)
        return order
    }
}

/// max |a - b|.
func maxAbsDifference<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Double {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    var m = 0.0
    for (x, y) in zip(a, b) { m = max(m, abs(Double(x) - Double(y))) }
    return m
}

/// max |a - b| / max |b|: the normwise relative error (`infinity` for a NaN
/// or a size mismatch).
func relativeError<A: BinaryFloatingPoint>(_ a: [A], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    var error = 0.0, size = 0.0
    for (x, y) in zip(a, b) {
        let d = abs(Double(x) - y)
        error = d.isNaN ? .infinity : max(error, d)
        size = max(size, abs(y))
    }
    return size == 0 ? error : error / size
}

func maxAbs<T: BinaryFloatingPoint>(_ a: [T]) -> Double {
    a.reduce(0) { max($0, abs(Double($1))) }
}

/// The sizes around the SIMD widths (8 Float, 4 Double lanes; 2 vectors a step).
let edgeSizes = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 33]
