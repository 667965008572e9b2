import Testing
@testable import SoftSortKit

/// The vectorised validation passes (`firstNonFinite`, `largestMagnitude`,
/// `targets`) against plain loops, at every length around their vector
/// widths and with the odd element at every position.
@Suite("Validation passes")
struct ValidationPassTests {
    static let lengths = Array(0...40) + [63, 64, 65, 1000]

    @Test("firstNonFinite finds the first infinity or NaN at every position", arguments: lengths)
    func firstNonFinite(n: Int) {
        let clean = (0..<n).map { Float($0 % 7) - 3.5 }
        #expect(Validation.firstNonFinite(clean) == nil)
        #expect(Validation.firstNonFinite(clean.map(Double.init)) == nil)
        for position in 0..<n {
            for bad in [Float.infinity, -.infinity, .nan] {
                var values = clean
                values[position] = bad
                if position + 1 < n { values[n - 1] = .nan }  // a later one does not hide the first
                #expect(Validation.firstNonFinite(values) == position)
                #expect(Validation.firstNonFinite(values.map(Double.init)) == position)
            }
        }
    }

    @Test("largestMagnitude is the largest |x| at every position, -0, huge and infinite values included", arguments: lengths)
    func largestMagnitude(n: Int) {
        var generator = TestRandom(seed: UInt64(n) + 1)
        let values = (0..<n).map { _ in Float(generator.uniform()) }
        let expected = values.reduce(Float(0)) { Swift.max($0, $1.magnitude) }
        #expect(Validation.largestMagnitude(values) == expected)
        #expect(Validation.largestMagnitude(values.map(Double.init)) == Double(expected))
        for position in 0..<n {
            for big in [-3e38 as Float, 3e38, -2, 2, -.infinity, .infinity] {
                var v = values
                v[position] = big
                #expect(Validation.largestMagnitude(v) == big.magnitude)
                #expect(Validation.largestMagnitude(v.map(Double.init)) == Double(big.magnitude))
            }
        }
        let zeros = [Float](repeating: -0.0, count: n)
        #expect(Validation.largestMagnitude(zeros) == 0)
        #expect(Validation.largestMagnitude(zeros).sign == .plus)
    }

    @Test("targets: the first column outside 0 ..< count is reported, negative or too large", arguments: lengths)
    func targets(n: Int) throws {
        let shape = BatchShape(batch: 1, count: n)
        let good = (0..<n).map { ($0 * 7) % n }  // columns in 0 ..< n
        try Validation.targets(good, shape: shape)
        for position in 0..<n {
            for bad in [-1, n, Int.min, Int.max] {
                var t = good
                t[position] = bad
                if position + 1 < n { t[n - 1] = -5 }
                #expect(throws: SoftSortError.indexOutOfRange(argument: "targets", position: position, value: bad, count: n)) {
                    try Validation.targets(t, shape: shape)
                }
            }
        }
    }
}
