import Foundation
import SoftSortKit

/// SplitMix64, so every test input repeats exactly.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(next() >> 11) * 0x1p-53 }
}

/// `count` uniform values in [a, b) from `seed` (distinct with probability 1: no ties).
func randomValues(_ count: Int, seed: UInt64, in range: (Double, Double) = (-2, 2)) -> [Double] {
    var generator = TestRandom(seed: seed)
    return (0..<count).map { _ in generator.uniform(range.0, range.1) }
}

/// A random permutation per batch row: the targets of a cross-entropy.
func randomTargets(batch: Int, count: Int, seed: UInt64) -> [Int] {
    var generator = TestRandom(seed: seed)
    var targets: [Int] = []
    for _ in 0..<batch {
        var t = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { t.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        targets += t
    }
    return targets
}

/// Central finite differences of `f` at `x`, step `h` per coordinate.
func finiteDifferences(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    (0..<x.count).map { k in
        var plus = x, minus = x
        plus[k] += h
        minus[k] -= h
        return (f(plus) - f(minus)) / (2 * h)
    }
}

/// `max |a - b| / max(1, max |b|)`.
func relativeError<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Double {
    precondition(a.count == b.count, "sizes \(a.count) and \(b.count)")
    var worst = 0.0, scale = 1.0
    for (x, y) in zip(a, b) {
        worst = max(worst, abs(Double(x) - Double(y)))
        scale = max(scale, abs(Double(y)))
    }
    return worst / scale
}

/// Double references written from the definitions (a sort, then a
/// max-subtracted log-softmax per row), independent of the library.
enum Reference {
    /// The stable descending (or ascending) order of a row.
    static func order(_ row: [Double], direction: SortDirection) -> [Int] {
        row.indices.sorted {
            direction == .descending
                ? row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1)
                : row[$0] < row[$1] || (row[$0] == row[$1] && $0 < $1)
        }
    }

    /// `log softmax` of a row.
    static func logSoftmax(_ z: [Double]) -> [Double] {
        let m = z.max() ?? 0
        let l = m + log(z.reduce(0) { $0 + exp($1 - m) })
        return z.map { $0 - l }
    }

    /// log P of SoftSort, `batch x count x count`.
    static func softSortLog(_ s: [Double], batch: Int, count n: Int, tau: Double, power: Double,
                            direction: SortDirection = .descending) -> [Double] {
        var out: [Double] = []
        for b in 0..<batch {
            let row = Array(s[b * n ..< (b + 1) * n])
            for i in order(row, direction: direction) {
                out += logSoftmax(row.map { -pow(abs(row[i] - $0), power) / tau })
            }
        }
        return out
    }

    /// log P of NeuralSort (Grover et al.'s formula with `A 1`), `batch x count x count`.
    static func neuralSortLog(_ s: [Double], batch: Int, count n: Int, tau: Double) -> [Double] {
        var out: [Double] = []
        for b in 0..<batch {
            let row = Array(s[b * n ..< (b + 1) * n])
            let c = row.map { sj in row.reduce(0) { $0 + abs(sj - $1) } }
            for i in 0..<n {
                out += logSoftmax((0..<n).map { j in (Double(n + 1 - 2 * (i + 1)) * row[j] - c[j]) / tau })
            }
        }
        return out
    }

    /// `-sum_(b, i) log P[b, i, t[b, i]]` from `log P`.
    static func crossEntropy(_ logP: [Double], targets: [Int], count n: Int) -> Double {
        var loss = 0.0
        for (row, t) in targets.enumerated() { loss -= logP[row * n + t] }
        return loss
    }
}
