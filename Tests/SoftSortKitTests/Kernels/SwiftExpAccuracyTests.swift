import Foundation
import Testing
@testable import SoftSortKit

/// The Swift SIMD `exp` every portable kernel runs (`VectorScalar.expNonPositive`,
/// `Kernels/ExpNonPositive.swift`), `SIMD8<Float>` and `SIMD4<Double>`, against
/// a correctly rounded reference, and its documented flush to zero.
///
/// Measured before these bounds were set, with the kernel's code compiled
/// `-O` in a scratch program (same arithmetic: Swift does not contract `a * b + c`):
/// - `Float`, every one of the 1,116,018,067 floats in `[ln(2^-96), 0]`
///   against `Double` `exp`: max 0.980 ULP (at -5.8573437), none above 1 ULP.
/// - `Double`, 21,037,056 points of `[ln(2^-960), 0]` (2^24 evenly spaced,
///   the 2^16 doubles next to 0, 2^22 uniform random) against `Float80` `exp`:
///   max 0.962 ULP (at -620.0150154339217); against glibc's `Double` `exp`
///   the two differ by at most 1 ULP.
/// The samples below are smaller (debug builds of SIMD code are slow).
@Suite("Swift SIMD exp accuracy")
struct SwiftExpAccuracyTests {
    /// `T.expNonPositive` on `xs`, one vector at a time (the last one padded with 0).
    static func evaluate<T: VectorScalar>(_ xs: [T]) -> [T] {
        let width = T.Vector.scalarCount
        var ys: [T] = []
        ys.reserveCapacity(xs.count + width)
        var start = 0
        while start < xs.count {
            var v = T.Vector()
            for lane in 0..<min(width, xs.count - start) { v[lane] = xs[start + lane] }
            let y = T.expNonPositive(v)
            for lane in 0..<min(width, xs.count - start) { ys.append(y[lane]) }
            start += width
        }
        return ys
    }

    /// |got - want| in ULP of a `Float` at `want`'s binade.
    static func floatULP(_ got: Float, _ want: Double) -> Double {
        let exponent = want == 0 ? -149 : max(Int(want.exponent) - 23, -149)
        return abs(Double(got) - want) / Double(sign: .plus, exponent: exponent, significand: 1)
    }

    /// |got - want| in ULP of a `Double` at `want`'s binade.
    static func doubleULP(_ got: Double, _ want: Double) -> Double {
        let exponent = want == 0 ? -1074 : max(Int(want.exponent) - 52, -1074)
        return abs(got - want) / Double(sign: .plus, exponent: exponent, significand: 1)
    }

    /// `ln(2^-96)` rounded to `Float`: the documented cutoff.
    static let floatCutoff = Float(-96 * M_LN2)
    /// `ln(2^-960)` rounded to `Double`.
    static let doubleCutoff = -960 * M_LN2

    @Test("Float: within 1 ULP of Double exp on a dense sample of [-87.3, 0]; 0 below ln(2^-96)")
    func floatDenseSample() {
        // 2^16 evenly spaced points, the 2^11 floats next to 0, the floats
        // around the cutoff, and a few landmarks.
        var xs = (0...(1 << 16)).map { Float(-87.3 * Double($0) / Double(1 << 16)) }
        var x: Float = -0.0
        for _ in 0..<(1 << 11) { xs.append(x); x = x.nextDown }
        var c = Self.floatCutoff
        for _ in 0..<64 { c = c.nextUp }
        for _ in 0..<128 { xs.append(c); c = c.nextDown }
        xs += [0, -0x1p-149, -Float.leastNormalMagnitude, -0.5, -1, -0x1.62E430p-1, -10, -66, -87.3]
        let ys = Self.evaluate(xs)
        var worst = 0.0, worstX: Float = 0, checked = 0
        for (x, y) in zip(xs, ys) {
            if x < Self.floatCutoff {
                #expect(y == 0 && y.sign == .plus, "x = \(x) is below ln(2^-96): +0 expected, got \(y)")
                continue
            }
            checked += 1
            let e = Self.floatULP(y, Foundation.exp(Double(x)))
            if e > worst { (worst, worstX) = (e, x) }
            #expect(y.isNormal, "x = \(x): \(y) must be a normal float")
        }
        // Measured (exhaustively, see the suite's comment): 0.980 ULP.
        #expect(worst <= 1, "max \(worst) ULP at \(worstX)")
        #expect(worst > 0.5, "max \(worst) ULP: the sample must reach the polynomial's worst cases")
        #expect(checked > 50_000)
        #expect(Self.evaluate([Float(0), -0.0]) == [1, 1], "exp(0) is exactly 1")
    }

    @Test("Double: within 1 ULP of exp on a dense sample of [-708, 0]; 0 below ln(2^-960)")
    func doubleDenseSample() {
        var xs = (0...(1 << 16)).map { -708 * Double($0) / Double(1 << 16) }
        var x = -0.0
        for _ in 0..<(1 << 11) { xs.append(x); x = x.nextDown }
        var random = TestRandom(seed: 90)
        for _ in 0..<(1 << 14) { xs.append(random.uniform(Self.doubleCutoff, 0)) }
        var c = Self.doubleCutoff
        for _ in 0..<64 { c = c.nextUp }
        for _ in 0..<128 { xs.append(c); c = c.nextDown }
        xs += [0, -0x1p-1074, -Double.leastNormalMagnitude, -0.5, -1, -M_LN2, -10, -665, -708]
        let ys = Self.evaluate(xs)
        var worstLibm = 0.0, worstLibmX = 0.0, checked = 0
        #if arch(x86_64) && !os(Windows)
        var worstExtended = 0.0, worstExtendedX = 0.0
        #endif
        for (x, y) in zip(xs, ys) {
            if x < Self.doubleCutoff {
                #expect(y == 0 && y.sign == .plus, "x = \(x) is below ln(2^-960): +0 expected, got \(y)")
                continue
            }
            checked += 1
            let e = Self.doubleULP(y, Foundation.exp(x))
            if e > worstLibm { (worstLibm, worstLibmX) = (e, x) }
            #if arch(x86_64) && !os(Windows)
            // Float80's 64-bit significand: a reference 2^-11 ULP from exact.
            let want = Foundation.exp(Float80(x))
            let exponent = max(Int(want.exponent) - 52, -1074)
            let extended = Double(abs(Float80(y) - want) / Float80(sign: .plus, exponent: exponent, significand: 1))
            if extended > worstExtended { (worstExtended, worstExtendedX) = (extended, x) }
            #endif
            #expect(y.isNormal, "x = \(x): \(y) must be a normal double")
        }
        // Two doubles: glibc's exp (itself within about 0.5 ULP) and this one
        // differ by at most 1 ULP; measured on 2.1e7 points: 1.
        #expect(worstLibm <= 1, "max \(worstLibm) ULP from glibc exp at \(worstLibmX)")
        #if arch(x86_64) && !os(Windows)
        // Measured on 2.1e7 points (see the suite's comment): 0.962 ULP.
        #expect(worstExtended <= 1, "max \(worstExtended) ULP from Float80 exp at \(worstExtendedX)")
        #expect(worstExtended > 0.5, "max \(worstExtended) ULP: the sample must reach the polynomial's worst cases")
        #endif
        #expect(checked > 80_000)
        #expect(Self.evaluate([Double(0), -0.0]) == [1, 1], "exp(0) is exactly 1")
    }

    @Test("the flush: below the cutoff and -infinity give exactly +0, the cutoff itself does not")
    func flush() {
        let f = Self.evaluate([Self.floatCutoff, Self.floatCutoff.nextDown, -70, -87.33, -88, -100, -1e30,
                               -Float.greatestFiniteMagnitude, -.infinity])
        // The cutoff is ln(2^-96) rounded: exp of it is 2^-96 to the rounding of x (|dx| < 2^-18).
        #expect(f[0] > 0 && abs(Double(f[0]) / 0x1p-96 - 1) < 1e-5, "exp(ln(2^-96)) = \(f[0])")
        for (k, y) in f.enumerated().dropFirst() { #expect(y == 0 && y.sign == .plus, "Float lane \(k): \(y)") }
        let d = Self.evaluate([Self.doubleCutoff, Self.doubleCutoff.nextDown, -700, -708.4, -745.2, -746, -1e300,
                               -Double.greatestFiniteMagnitude, -.infinity])
        #expect(d[0] > 0 && abs(d[0] / 0x1p-960 - 1) < 1e-12, "exp(ln(2^-960)) = \(d[0])")
        for (k, y) in d.enumerated().dropFirst() { #expect(y == 0 && y.sign == .plus, "Double lane \(k): \(y)") }
    }

    /// Lanes that flush next to lanes that do not, in every position: each
    /// lane must equal the same argument evaluated alone (a splat), so no
    /// lane's mask, `k` or scale leaks into another.
    static func checkMixedLanes<T: VectorScalar>(_ values: [T], _: T.Type) {
        let width = T.Vector.scalarCount
        let alone = values.map { T.expNonPositive(T.Vector(repeating: $0))[0] }
        // The one-element form the kernels' tails use rounds exactly like a lane.
        for (x, y) in zip(values, alone) { #expect(T.expNonPositive(x) == y, "x = \(x)") }
        for rotation in 0..<values.count {
            var v = T.Vector()
            for lane in 0..<width { v[lane] = values[(rotation + lane) % values.count] }
            let y = T.expNonPositive(v)
            for lane in 0..<width {
                let k = (rotation + lane) % values.count
                #expect(y[lane] == alone[k], "\(T.self) rotation \(rotation) lane \(lane): x = \(values[k])")
            }
        }
    }

    @Test("vectors mixing flushed and normal lanes give each lane its own value")
    func mixedLanes() {
        let floats: [Float] = [-0.25, -.infinity, -3, Self.floatCutoff, Self.floatCutoff.nextDown, 0, -80, -66,
                               -1e30, -0x1p-149, -40]
        Self.checkMixedLanes(floats, Float.self)
        #expect(floats.map { Float.expNonPositive($0) }.map { $0 == 0 }
                == [false, true, false, false, true, false, true, false, true, false, false])
        let doubles: [Double] = [-0.25, -.infinity, -3, Self.doubleCutoff, Self.doubleCutoff.nextDown, 0, -700,
                                 -660, -1e300]
        Self.checkMixedLanes(doubles, Double.self)
        #expect(doubles.map { Double.expNonPositive($0) }.map { $0 == 0 }
                == [false, true, false, false, true, false, true, false, true])
    }
}
