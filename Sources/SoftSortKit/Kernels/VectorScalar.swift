#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the portable kernels need of an element type: its SIMD vector (eight
/// `Float` or four `Double` lanes, one AVX register's worth) and a vector `exp`
/// for non-positive arguments.
protocol VectorScalar: SoftSortScalar {
    associatedtype Vector: SIMD where Vector.Scalar == Self

    /// `exp(x)` for `x <= 0`, lane by lane: Cephes-style range reduction
    /// `x = k ln2 + r`, a polynomial in `r`, and `2^k` built from its bits.
    ///
    /// Arguments below `ln(leastNormalMagnitude)` (`-87.34` for `Float`,
    /// `-708.4` for `Double`) give `0`: results that would be subnormal are
    /// flushed to zero. `-infinity` gives `0`. Positive arguments are outside
    /// the contract. NaN is outside it too (the callers validate their inputs).
    static func expNonPositive(_ x: Vector) -> Vector

    /// libm's `exp`, `pow` and `log` for one element.
    static func libmExp(_ x: Self) -> Self
    static func libmPow(_ x: Self, _ y: Self) -> Self
    static func libmLog(_ x: Self) -> Self
}

extension VectorScalar {
    /// The same function as `expNonPositive(_:)` for one element, so that the
    /// tails of a row round exactly like its body.
    @inline(__always)
    static func expNonPositive(_ x: Self) -> Self {
        expNonPositive(Vector(repeating: x))[0]
    }
}

extension Float: VectorScalar {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func expNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // ln(2^-126) rounded to Float: below it the result is subnormal.
        let cutoff = SIMD8<Float>(repeating: -0x1.5d58a0p+6)
        let xc = pointwiseMax(x, cutoff)
        // Round x / ln2 to the nearest integer k with the 1.5 * 2^23 trick; the
        // low mantissa bits of `t` then hold k.
        let magic = SIMD8<Float>(repeating: 0x1.8p23)
        let t = xc * SIMD8(repeating: 0x1.715476p+0) + magic  // log2(e)
        let k = t - magic
        // r = x - k ln2, with ln2 split in two (Cephes: C1 = 0.693359375,
        // C2 = -2.12194440e-4) so that k * C1 is exact.
        var r = xc - k * SIMD8(repeating: 0x1.630000p-1)
        r = r - k * SIMD8(repeating: -0x1.bd0106p-13)
        // Cephes expf's degree-5 minimax polynomial for (exp(r) - 1 - r) / r^2.
        var p = SIMD8<Float>(repeating: 0x1.a0d2cep-13)
        p = p * r + SIMD8(repeating: 0x1.6e879cp-10)
        p = p * r + SIMD8(repeating: 0x1.111210p-7)
        p = p * r + SIMD8(repeating: 0x1.555382p-5)
        p = p * r + SIMD8(repeating: 0x1.555554p-3)
        p = p * r + SIMD8(repeating: 0x1.000000p-1)
        let y = p * (r * r) + r + SIMD8(repeating: 1)
        // 2^k: the exponent field k + 127, with k = bits(t) - bits(magic).
        let kInt = unsafeBitCast(t, to: SIMD8<Int32>.self) &- SIMD8(repeating: 0x4B40_0000)
        let scale = unsafeBitCast((kInt &+ 127) &<< 23, to: SIMD8<Float>.self)
        return (y * scale).replacing(with: 0, where: x .< cutoff)
    }

    static func libmExp(_ x: Float) -> Float { expf(x) }
    static func libmPow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    static func libmLog(_ x: Float) -> Float { logf(x) }
}

extension Double: VectorScalar {
    typealias Vector = SIMD4<Double>

    @inline(__always)
    static func expNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> {
        // ln(2^-1022): below it the result is subnormal.
        let cutoff = SIMD4<Double>(repeating: -0x1.6232bdd7abcd2p+9)
        let xc = pointwiseMax(x, cutoff)
        let magic = SIMD4<Double>(repeating: 0x1.8p52)
        let t = xc * SIMD4(repeating: 0x1.71547652b82fep+0) + magic  // log2(e)
        let k = t - magic
        // ln2 split as in fdlibm: ln2hi has 32 trailing zero bits, so k * ln2hi is exact.
        var r = xc - k * SIMD4(repeating: 0x1.62e42fee00000p-1)
        r = r - k * SIMD4(repeating: 0x1.a39ef35793c76p-33)
        // Taylor series to degree 13 on |r| <= ln2 / 2: truncation error
        // (ln2/2)^14 / 14! < 5e-18, below half an ulp.
        var p = SIMD4<Double>(repeating: 1.0 / 6_227_020_800)  // 1/13!
        p = p * r + SIMD4(repeating: 1.0 / 479_001_600)          // 1/12!
        p = p * r + SIMD4(repeating: 1.0 / 39_916_800)           // 1/11!
        p = p * r + SIMD4(repeating: 1.0 / 3_628_800)            // 1/10!
        p = p * r + SIMD4(repeating: 1.0 / 362_880)              // 1/9!
        p = p * r + SIMD4(repeating: 1.0 / 40_320)               // 1/8!
        p = p * r + SIMD4(repeating: 1.0 / 5_040)                // 1/7!
        p = p * r + SIMD4(repeating: 1.0 / 720)                  // 1/6!
        p = p * r + SIMD4(repeating: 1.0 / 120)                  // 1/5!
        p = p * r + SIMD4(repeating: 1.0 / 24)                   // 1/4!
        p = p * r + SIMD4(repeating: 1.0 / 6)                    // 1/3!
        p = p * r + SIMD4(repeating: 0.5)                        // 1/2!
        let y = p * (r * r) + r + SIMD4(repeating: 1)
        let kInt = unsafeBitCast(t, to: SIMD4<Int64>.self) &- SIMD4(repeating: 0x4338_0000_0000_0000)
        let scale = unsafeBitCast((kInt &+ 1023) &<< 52, to: SIMD4<Double>.self)
        return (y * scale).replacing(with: 0, where: x .< cutoff)
    }

    static func libmExp(_ x: Double) -> Double { exp(x) }
    static func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
    static func libmLog(_ x: Double) -> Double { log(x) }
}
