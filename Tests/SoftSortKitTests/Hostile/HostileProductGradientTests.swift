import Testing
@testable import SoftSortKit

/// The backward of `P V` with values and scores near the type's largest:
/// finite where the true gradient is, and the derivative of the forward.
@Suite("Hostile inputs: product gradients near the type's largest")
struct HostileProductGradientTests {
    static let paths: [(String, Double, SoftSortPath)] = [
        ("p = 1 dense", 1, .dense), ("p = 1 fused", 1, .fused), ("p = 1 exact", 1, .exact),
        ("p = 1 window", 1, .window(.ranks(2))), ("p = 2 dense", 2, .dense), ("p = 2 fused", 2, .fused),
        ("p = 2 gauss", 2, .gauss), ("p = 2 window", 2, .window(.ranks(2))),
    ]

    /// Scores and values near the largest, with one pair of ordinary scores
    /// (0 and 1) whose row of `P` is not one-hot: the score gradient is
    /// about `top / 10` there (the Double reference below), and every
    /// `<G_i, V_j> / tau'` of the rescaled backward is beyond the range.
    @Test("dL/ds of P V near greatestFiniteMagnitude is finite and the derivative of the forward")
    func finiteAndConsistent() throws {
        try check(Float(3e38), step: 0x1p-6, tolerance: 1e-2)
        try check(Double(1.7e308), step: 0x1p-20, tolerance: 1e-6)
    }

    func check<T: SoftSortScalar>(_ top: T, step h: T, tolerance: Double) throws {
        let scores: [T] = [top, -top, top / 2, 0, -top / 3, 1]
        let values: [T] = [-top, top, 0, top / 2, 1, -top / 4]
        let upstream: [T] = [1, -1, 0.5, 0, 1, -0.25]
        for (name, p, path) in Self.paths {
            let op = SoftSort(power: p)
            // <G, Y> / top in Double (<G, Y> itself can pass Double's range).
            func loss(_ s: [T]) throws -> Double {
                let y = try op.forward(scores: s, batch: 1, count: 6, path: path).apply(to: values).values
                return zip(upstream, y).reduce(0) { $0 + Double($1.0) * (Double($1.1) / Double(top)) }
            }
            let gradient = try op.forward(scores: scores, batch: 1, count: 6, path: path).apply(to: values).backward(upstream)
            #expect(!gradient.scores.contains { !$0.isFinite }, "\(T.self) \(name): \(gradient.scores)")
            #expect(!gradient.values.contains { !$0.isFinite }, "\(T.self) \(name) dL/dV: \(gradient.values)")
            // Central differences at the ordinary scores (the huge ones have no
            // representable step that keeps the row's order and spacing).
            var differences: [Double] = []
            for j in [3, 5] {
                var plus = scores, minus = scores
                plus[j] += h
                minus[j] -= h
                differences.append((try loss(plus) - loss(minus)) / (2 * Double(h)) * Double(top))
            }
            let largest = differences.map(abs).max() ?? 0
            // At p = 2 the rescaled temperature tau / c^2 is below
            // T.leastNormalMagnitude, so the pair's logits are smoothed
            // (`ScoreScale.temperature`): the gauss plan then keeps P one-hot
            // there, and both sides are 0. At p = 1 the problem is exact.
            if p == 1 { #expect(largest > 0, "\(T.self) \(name): the forward does not move") }
            for (j, difference) in zip([3, 5], differences) {
                #expect(
                    abs(Double(gradient.scores[j]) - difference) <= tolerance * largest,
                    "\(T.self) \(name) dL/ds[\(j)] = \(gradient.scores[j]), central difference \(difference)")
            }
        }
    }

    /// At `p = 1` the rescaled problem is the caller's exactly (`tau / c` is
    /// a normal number): the gradient matches the true one, the analytic
    /// expression of the two-column row in `Double`, written apart from the
    /// library.
    @Test("p = 1: dL/ds of P V near Double's largest matches the analytic Double reference")
    func doubleReference() throws {
        let top = 1.7e308
        let scores: [Double] = [top, -top, top / 2, 0, -top / 3, 1]
        let values: [Double] = [-top, top, 0, top / 2, 1, -top / 4]
        let upstream: [Double] = [1, -1, 0.5, 0, 1, -0.25]
        // Rows 2 (centre 1) and 3 (centre 0) mix columns 5 (s = 1) and 3
        // (s = 0); every other row is one-hot. With q = e^-1 / (1 + e^-1) the
        // weight of the other column (logit -(s_5 - s_3) in both rows) and
        // k = q (1 - q) (V_5 - V_3): dY_2/ds_5 = k, dY_2/ds_3 = -k (centre
        // s_5); dY_3/ds_3 = k, dY_3/ds_5 = -k (centre s_3).
        let q = 1 / (1 + 2.718281828459045), k = q * (1 - q) * (values[5] - values[3])
        let row2 = upstream[2] * k, row3 = upstream[3] * k
        let expected3 = row3 - row2, expected5 = row2 - row3
        for (name, path) in [("dense", SoftSortPath.dense), ("fused", .fused), ("exact", .exact)] {
            let gradient = try SoftSort(power: 1).forward(scores: scores, batch: 1, count: 6, path: path)
                .apply(to: values).backward(upstream).scores
            #expect(abs(gradient[3] - expected3) <= 1e-12 * abs(expected3), "\(name): \(gradient[3]) vs \(expected3)")
            #expect(abs(gradient[5] - expected5) <= 1e-12 * abs(expected5), "\(name): \(gradient[5]) vs \(expected5)")
            #expect([0, 1, 2, 4].allSatisfy { gradient[$0] == 0 }, "\(name): \(gradient)")
        }
    }
}
