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
    /// Arguments below `ln(2^-96)` (`-66.54`) for `Float` and `ln(2^-960)`
    /// (`-665.4`) for `Double` give exactly `0`, as does `-infinity`. The
    /// cutoff keeps subnormal numbers (up to 100x slower on x86) out of every
    /// kernel: after normalizing by a row sum of at most `2^30` terms an entry
    /// is still a normal number, and an entry flushed to 0 was below `2^-96`
    /// (`2^-960`). Positive arguments are outside the contract; so is NaN
    /// (the callers validate their inputs).
    static func expNonPositive(_ x: Vector) -> Vector

    // Lane-wise selections, written with integer bit operations: this Swift
    // compiles `replacing(with:where:)` and `pointwiseMax` to a loop over the
    // lanes through memory (measured: 4x slower kernels).

    /// `-|x|`.
    static func negativeMagnitude(_ x: Vector) -> Vector
    /// `sign(x) * t`, with `sign(0) = 0` (autograd's derivative of `|x|`).
    static func signTimes(_ x: Vector, _ t: Vector) -> Vector
    /// `max(a, b)` for non-NaN lanes.
    static func maximum(_ a: Vector, _ b: Vector) -> Vector

    /// libm's `exp`, `pow` and `log` for one element.
    static func libmExp(_ x: Self) -> Self
    static func libmPow(_ x: Self, _ y: Self) -> Self
    static func libmLog(_ x: Self) -> Self

    /// The AVX2+FMA C kernels' tables for this type, where this build and
    /// CPU run them (`Runtime/AVX2Support.swift`); `nil` for `Double`.
    static var avx2Kernels: AVX2KernelTables<Self>? { get }
}

extension VectorScalar {
    /// The same function as `expNonPositive(_:)` for one element, so that the
    /// tails of a row round exactly like its body.
    @inline(__always)
    static func expNonPositive(_ x: Self) -> Self {
        expNonPositive(Vector(repeating: x))[0]
    }

    /// `signTimes(_:_:)` for one element: bit operations, no branch (a
    /// comparison of random data mispredicts half the time).
    @inline(__always)
    static func signTimes(_ x: Self, _ t: Self) -> Self {
        signTimes(Vector(repeating: x), Vector(repeating: t))[0]
    }
}

extension Float: VectorScalar {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func expNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // ln(2^-96) rounded to Float: the flush-to-zero cutoff.
        let cutoff = SIMD8<Float>(repeating: -0x1.0a2b24p+6)
        let below = bits(x - cutoff) &>> 31  // all ones where x < cutoff
        let xc = select(below, cutoff, x)
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
        return unsafeBitCast(bits(y * scale) & ~below, to: SIMD8<Float>.self)
    }

    @inline(__always)
    static func bits(_ x: SIMD8<Float>) -> SIMD8<Int32> { unsafeBitCast(x, to: SIMD8<Int32>.self) }

    /// `mask` all ones: `a`; all zeros: `b`.
    @inline(__always)
    static func select(_ mask: SIMD8<Int32>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast((bits(a) & mask) | (bits(b) & ~mask), to: SIMD8<Float>.self)
    }

    @inline(__always)
    static func negativeMagnitude(_ x: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(bits(x) | SIMD8(repeating: Int32.min), to: SIMD8<Float>.self)
    }

    @inline(__always)
    static func signTimes(_ x: SIMD8<Float>, _ t: SIMD8<Float>) -> SIMD8<Float> {
        let magnitude = bits(x) & SIMD8(repeating: Int32.max)
        let nonzero = (magnitude | (0 &- magnitude)) &>> 31  // all ones where x != 0
        let signed = bits(t) ^ (bits(x) & SIMD8(repeating: Int32.min))
        return unsafeBitCast(signed & nonzero, to: SIMD8<Float>.self)
    }

    @inline(__always)
    static func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        select(bits(a - b) &>> 31, b, a)
    }

    static func libmExp(_ x: Float) -> Float { expf(x) }
    static func libmPow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    static func libmLog(_ x: Float) -> Float { logf(x) }
}

extension Double: VectorScalar {
    typealias Vector = SIMD4<Double>

    @inline(__always)
    static func expNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> {
        // ln(2^-960): the flush-to-zero cutoff.
        let cutoff = SIMD4<Double>(repeating: -0x1.4cb5ecf0a9650p+9)
        let below = bits(x - cutoff) &>> 63  // all ones where x < cutoff
        let xc = select(below, cutoff, x)
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
        return unsafeBitCast(bits(y * scale) & ~below, to: SIMD4<Double>.self)
    }

    @inline(__always)
    static func bits(_ x: SIMD4<Double>) -> SIMD4<Int64> { unsafeBitCast(x, to: SIMD4<Int64>.self) }

    /// `mask` all ones: `a`; all zeros: `b`.
    @inline(__always)
    static func select(_ mask: SIMD4<Int64>, _ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        unsafeBitCast((bits(a) & mask) | (bits(b) & ~mask), to: SIMD4<Double>.self)
    }

    @inline(__always)
    static func negativeMagnitude(_ x: SIMD4<Double>) -> SIMD4<Double> {
        unsafeBitCast(bits(x) | SIMD4(repeating: Int64.min), to: SIMD4<Double>.self)
    }

    @inline(__always)
    static func signTimes(_ x: SIMD4<Double>, _ t: SIMD4<Double>) -> SIMD4<Double> {
        let magnitude = bits(x) & SIMD4(repeating: Int64.max)
        let nonzero = (magnitude | (0 &- magnitude)) &>> 63  // all ones where x != 0
        let signed = bits(t) ^ (bits(x) & SIMD4(repeating: Int64.min))
        return unsafeBitCast(signed & nonzero, to: SIMD4<Double>.self)
    }

    @inline(__always)
    static func maximum(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        select(bits(a - b) &>> 63, b, a)
    }

    static func libmExp(_ x: Double) -> Double { exp(x) }
    static func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
    static func libmLog(_ x: Double) -> Double { log(x) }
}

