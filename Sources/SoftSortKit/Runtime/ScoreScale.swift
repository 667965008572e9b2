/// The exact rescaling that keeps huge finite scores from overflowing.
///
/// SoftSort's logits are `-|x_i - s_j|^p / tau`, so `P(s, tau) = P(s / c,
/// tau / c^p)`; NeuralSort's are `((n + 1 - 2 i) s_j - sum_k |s_j - s_k|) /
/// tau`, so `P(s, tau) = P(s / c, tau / c)`. With `c` a power of two the
/// division is exact (below `c * T.leastNormalMagnitude` it rounds like any
/// subnormal), and the score gradient of the rescaled problem is `c` times the
/// true one, so it is divided by `c` on the way out.
///
/// `c` is chosen per call from the batch's largest magnitude `M` (not per
/// row): every row shares one temperature `tau / c^p`, and `c` depends on
/// the scores only, never on the thread count, so results stay bitwise
/// identical for every thread count. `c = 1` whenever `M < 2^E`, `E` the
/// bound of `Bound` for the path, so ordinary inputs run exactly as before;
/// above it `c = 2^(e - E + 1)`, `e` the exponent of `M`, so `M / c < 2^E`.
struct ScoreScale<T: SoftSortScalar>: Sendable, Equatable {
    /// `c`, a power of two, `>= 1`.
    let factor: T
    /// `M`, the largest magnitude of the scores the scale was chosen for.
    let largestMagnitude: T

    static var identity: ScoreScale { ScoreScale(factor: 1, largestMagnitude: 0) }

    /// What must not overflow on a path.
    enum Bound {
        /// `|x_i - s_j|^p` and `p |x|^(p - 1)` (dense SoftSort, fused apply,
        /// windowed, exact with `p = 1`); for `p >= 1` also the exact scans'
        /// `(L + 1) (W_(i-1) - W_i)`, up to `count` times a difference.
        case distance(power: Double, count: Int = 1)
        /// NeuralSort's `(n - 1) s_j - sum_k |s_j - s_k|`, at most `3 n M`.
        case neuralSort(count: Int)

        /// `E`: the largest magnitude left alone is below `2^E`.
        var exponent: Int {
            let top = Int(T.greatestFiniteMagnitude.exponent) - 2
            switch self {
            case .distance(let p, let n):
                // (2 M)^p < 2^top and n (2 M) < 2^(top + 1); p < 1 is bounded
                // by the difference alone.
                let bits = Int.bitWidth - max(n, 1).leadingZeroBitCount
                return p >= 1 ? min(top + 1 - bits, Int(Double(top) / p) - 1) : top
            case .neuralSort(let n):
                return top - 1 - (Int.bitWidth - max(n, 1).leadingZeroBitCount)
            }
        }
    }

    /// The scale for `scores` (finite, already checked) under `bound`.
    init(_ scores: [T], bound: Bound) {
        self.init(largestMagnitude: Validation.largestMagnitude(scores), limitExponent: bound.exponent)
    }

    init(largestMagnitude: T, limitExponent: Int) {
        self.largestMagnitude = largestMagnitude
        guard largestMagnitude.isFinite, largestMagnitude >= T(sign: .plus, exponent: T.Exponent(limitExponent), significand: 1) else {
            factor = 1
            return
        }
        // At most T's largest power of two (a huge p with scores near T's
        // largest asks for more): the logits may then overflow to -infinity,
        // an exact 0 in P.
        let exponent = min(largestMagnitude.exponent - T.Exponent(limitExponent) + 1, T.greatestFiniteMagnitude.exponent)
        factor = T(sign: .plus, exponent: exponent, significand: 1)
    }

    private init(factor: T, largestMagnitude: T) {
        self.factor = factor
        self.largestMagnitude = largestMagnitude
    }

    var isIdentity: Bool { factor == 1 }

    /// `x / c` elementwise (`x` itself when `c = 1`).
    func divide(_ x: [T]) -> [T] {
        isIdentity ? x : x.map { $0 / factor }
    }

    /// `x * c` elementwise (`x` itself when `c = 1`).
    func multiply(_ x: [T]) -> [T] {
        isIdentity ? x : x.map { $0 * factor }
    }

    /// The rescaled temperature `tau / c^p` (`power` 1 for NeuralSort),
    /// computed in `Double` (exact for `p = 1` and `p = 2`). When it is not a
    /// normal `T` (`T` cannot hold both the scores' span and the temperature:
    /// Float scores near `3e38` with `p = 2` and `tau` below about `2^6`), it is
    /// `T.leastNormalMagnitude`: every result stays finite, pairs whose true
    /// logit is beyond `T`'s range get `P = 0` exactly as before, and the
    /// logits of scores closer than about `c (T.leastNormalMagnitude)^(1/p)`
    /// are smoothed (the true ones are not representable at this scale).
    func temperature(_ tau: T, power: Double) -> T {
        guard !isIdentity else { return tau }
        let c = Double(factor)
        let divisor = power == 1 ? c : power == 2 ? c * c : Double.libmPow(c, power)
        let scaled = T(Double(tau) / divisor)
        return scaled >= T.leastNormalMagnitude ? scaled : T.leastNormalMagnitude
    }
}

extension Configuration {
    /// This configuration for the scores divided by `scale`: the temperature
    /// becomes `tau / c^power`.
    func rescaled(by scale: ScoreScale<T>, power: Double) -> Configuration<T> {
        scale.isIdentity ? self : with(temperature: scale.temperature(temperature, power: power))
    }
}

extension DistancePower {
    /// `p` as a number.
    var value: Double {
        switch self {
        case .one: return 1
        case .two: return 2
        case .general(let p): return p
        }
    }
}
