/// The power of two a product's backward divides its incoming gradient by,
/// so that no intermediate term of the score gradient overflows.
///
/// The backward of `P V` forms, per entry, `P_ij (<G_i, V_j> - <G_i, Y_i>)`
/// times the logit's derivative `p |x_i - s_j|^(p - 1) / tau`, and sums `n`
/// of them per column and per centre. With values near `T`'s largest (run as
/// `V / c_V`) and the rescaled temperature `tau / c^p` (at least
/// `T.leastNormalMagnitude`), one such term can pass `T.greatestFiniteMagnitude`
/// while the gradient itself is finite; it then meets its opposite as
/// `inf - inf`. The backward is linear in `G`: it runs on `G / K` and its
/// results are multiplied by `K`, with `K = 1` (nothing changes) unless the
/// bound on those terms below says a term could overflow.
///
/// The bound, in powers of two: `|G| |V / c_V| 2 d` for the bracket, times
/// `p (2 M / c)^(p - 1) / min(tau', 1)` for the derivative (`M / c` the
/// rescaled scores' largest magnitude; `p < 1` is not bounded here; a
/// `tau' > 1` does not shrink the bracket, formed first), times `2 n` for
/// the sums (NeuralSort's logits add `2 n` more). Only magnitudes enter it,
/// never the thread count, so results stay bitwise identical for every
/// thread count.
extension RelaxedProduct {
    /// `K`, a power of two `>= 1`, for the incoming gradient `gradient`.
    func gradientDivisor(_ gradient: [T]) -> T {
        guard let (temperature, power, neural) = logitShape else { return 1 }
        let largestGradient = Validation.largestMagnitude(gradient)
        let largestValue = valueScale.largestMagnitude / valueScale.factor
        guard largestGradient > 0, largestValue > 0, largestGradient.isFinite, largestValue.isFinite else { return 1 }
        func bits(_ x: Int) -> Int { Int.bitWidth - max(x, 1).leadingZeroBitCount }
        // Exponents e with x < 2^e.
        var bound = Int(largestGradient.exponent) + 1 + Int(largestValue.exponent) + 1
        bound += 1 + bits(dimension)                       // <G_i, V_j> - <G_i, Y_i>
        bound += 1 + bits(count) + (neural ? 1 + bits(count) : 0)  // n terms per sum
        // 1 / tau' where it grows the terms; a large tau' shrinks only the
        // terms it divides, not the brackets formed before it.
        bound += max(0, -Int(temperature.exponent))
        if power > 1 {
            let scores = scale.largestMagnitude / scale.factor
            let spread = scores > 0 ? Int(scores.exponent) + 2 : 0  // 2 M / c < 2^spread
            // Clamped before the conversions: a huge p (the exponent then
            // passes any type's range, and the shift below is capped anyway).
            let derivative = min(max(Double(spread) * (power - 1), 0), 4096)
            bound += bits(Int(min(power, 0x1p62).rounded(.up))) + Int(derivative.rounded(.up))
        }
        let headroom = Int(T.greatestFiniteMagnitude.exponent) - 1
        guard bound > headroom else { return 1 }
        let shift = min(bound - headroom, Int(T.greatestFiniteMagnitude.exponent))
        return T(sign: .plus, exponent: T.Exponent(shift), significand: 1)
    }

    /// The rescaled temperature and power of the source's logits, and
    /// whether they are NeuralSort's. The gauss sources' transforms run in
    /// `Double` and rescale their temperature themselves, but `<G, V>` still
    /// meets `T`'s range: they count as p = 2 at tau = 1.
    private var logitShape: (temperature: T, power: Double, neural: Bool)? {
        switch source {
        case .fused(let state): (state.configuration.temperature, state.configuration.power.value, false)
        case .dense(let state, _, _):
            (state.configuration.temperature, state.configuration.power.value, state.method == .neuralSort)
        case .exact(let state, _, _): (state.configuration.temperature, 1, false)
        case .window(let state, _, _): (state.configuration.temperature, state.configuration.power.value, false)
        case .gauss, .gaussTransposed: (1, 2, false)
        }
    }
}
