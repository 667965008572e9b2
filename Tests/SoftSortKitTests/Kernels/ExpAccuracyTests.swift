import Foundation
import Testing
@testable import SoftSortKit

/// CSimd's standalone exp against Double `exp` on a dense sample of
/// [-87.3, 0] (the exhaustive sweep over every float is perf/exp-ulp-sweep.sh).
@Suite("AVX2 exp accuracy", .enabled(if: Backend.avx2.isAvailable, "this CPU has no AVX2+FMA: the C exp cannot run"))
struct ExpAccuracyTests {
    /// |got - want| in ULP of a float at `want`'s binade.
    static func ulpError(_ got: Float, _ want: Double) -> Double {
        let exponent = want == 0 ? -149 : max(Int(want.exponent) - 23, -149)
        return abs(Double(got) - want) / Double(sign: .plus, exponent: exponent, significand: 1)
    }

    @Test("within 2 ULP of Double exp on a dense sample of [-87.3, 0]")
    func denseSample() throws {
        // 2^17 evenly spaced points, the 2^12 floats next to 0, and the range's edges.
        var xs = (0...(1 << 17)).map { Float(-87.3 * Double($0) / Double(1 << 17)) }
        var x: Float = -0.0
        for _ in 0..<(1 << 12) { xs.append(x); x = x.nextDown }
        xs += [-87.3, -87.33, -0x1p-149, -Float.leastNormalMagnitude, -1, -0.5, -0x1.62E430p-1]
        let ys = try #require(AVX2Diagnostics.exp(xs))
        var worst = 0.0, worstX: Float = 0
        for (x, y) in zip(xs, ys) {
            let e = Self.ulpError(y, Foundation.exp(Double(x)))
            if e > worst { (worst, worstX) = (e, x) }
        }
        #expect(worst <= 2, "max \(worst) ULP at \(worstX)")
        #expect(ys[0] == 1, "exp(0) is exactly 1")
    }

    @Test("flushes below ln(2^-126) to +0; -infinity gives 0, NaN gives NaN")
    func specialValues() throws {
        let xs: [Float] = [-87.34, -88, -100, -1e30, -.infinity, .nan, -87.3365, -0.0]
        let ys = try #require(AVX2Diagnostics.exp(xs))
        for k in 0..<5 { #expect(ys[k] == 0 && ys[k].sign == .plus, "x = \(xs[k])") }
        #expect(ys[5].isNaN)
        #expect(ys[6] >= Float.leastNormalMagnitude, "exp(-87.3365) stays a normal float")
        #expect(ys[7] == 1)
    }

    @Test("tails of every length match the vector body bitwise")
    func tails() throws {
        let xs = (0..<77).map { Float(-0.37 * Double($0)) }
        let whole = try #require(AVX2Diagnostics.exp(xs))
        for length in 0...xs.count {
            #expect(try #require(AVX2Diagnostics.exp(Array(xs[0..<length]))) == Array(whole[0..<length]))
        }
    }
}
