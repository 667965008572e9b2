/// The distance exponent `p` of `d(x) = |x|^p`, with the two common cases
/// singled out so that kernels can specialise them.
package enum DistancePower: Sendable, Equatable {
    case one
    case two
    case general(Double)

    package init(_ p: Double) {
        switch p {
        case 1: self = .one
        case 2: self = .two
        default: self = .general(p)
        }
    }
}

/// `d(x) = |x|^p` and its derivative for one element.
enum Distance {
    /// `|x|^p`.
    @inline(__always)
    static func value<T: VectorScalar>(_ x: T, _ power: DistancePower) -> T {
        switch power {
        case .one: return abs(x)
        case .two: return x * x
        case .general(let p): return T.libmPow(abs(x), T(p))
        }
    }

    /// `|x|^p` in `Double`.
    @inline(__always)
    static func value(_ x: Double, _ power: DistancePower) -> Double {
        switch power {
        case .one: return abs(x)
        case .two: return x * x
        case .general(let p): return Double.libmPow(abs(x), p)
        }
    }

    /// `d'(x) = p |x|^(p-1) sign(x)`, with `d'(0) = 0` for every `p`
    /// (autograd's convention for `|x|`).
    @inline(__always)
    static func derivative<T: VectorScalar>(_ x: T, _ power: DistancePower) -> T {
        if x == 0 { return 0 }
        let sign: T = x > 0 ? 1 : -1
        switch power {
        case .one: return sign
        case .two: return 2 * x
        case .general(let p):
            let d = T(p) * T.libmPow(abs(x), T(p) - 1)
            if d.isFinite { return d * sign }
            // p < 1 at a tiny |x| (a subnormal gap): |x|^(p - 1) overflows
            // where p |x|^(p - 1) need not, so it is taken in logarithms.
            return T.libmExp(T.libmLog(T(p)) + (T(p) - 1) * T.libmLog(abs(x))) * sign
        }
    }

    /// `-|x|^p` lane by lane for a general `p` (the slow path of the vector kernels).
    @inline(__always)
    static func negativeGeneral<T: VectorScalar>(_ x: T.Vector, _ p: T) -> T.Vector {
        var z = T.Vector.zero
        for lane in z.indices { z[lane] = -T.libmPow(abs(x[lane]), p) }
        return z
    }

    /// `d'(x) t` lane by lane for a general `p`: 0 where `d'(x)` is 0
    /// (`x = 0`, or `|x|^(p - 1)` below the least subnormal for a huge `p`),
    /// whatever `t`: `t` holds `1 / tau`, infinite when a huge `p` rescales
    /// `tau` to the least normal, and the logit `-|x|^p / tau` is then flat.
    @inline(__always)
    static func derivativeTimesGeneral<V: SIMD>(_ x: V, _ t: V, _ power: DistancePower) -> V where V.Scalar: VectorScalar {
        var u = V.zero
        for lane in u.indices {
            let d = derivative(x[lane], power)
            if d != 0 { u[lane] = d * t[lane] }
        }
        return u
    }
}
