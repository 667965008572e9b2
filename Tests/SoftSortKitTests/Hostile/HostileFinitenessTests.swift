import Testing
@testable import SoftSortKit

/// Finite scores of any magnitude give finite outputs and gradients on every
/// entry point, and the exact rescaling changes nothing else.
@Suite("Hostile inputs: finiteness and exact rescaling")
struct HostileFinitenessTests {
    /// The row: huge, tiny, subnormal and moderate scores mixed.
    static let mixed: [Float] = [1e30, -1e30, 3e38, -3e38, 0, 1e-38, -Float.leastNonzeroMagnitude, 1]

    /// The failures (NeuralSort at every temperature, SoftSort p = 2
    /// gradients, the fused apply's gradients, the exact cross-entropy):
    /// every output of every entry point is finite, for each temperature.
    @Test("huge, tiny and subnormal scores: every output and gradient finite", arguments: [1e-3, 1, 1e3])
    func mixedScoresFinite(tau: Double) throws {
        for backend in Backend.available {
            let outputs = try EntryPoints(temperature: tau, backend: backend).outputs(Self.mixed, batch: 1, count: 8)
            let bad = nonFinite(outputs)
            #expect(bad.isEmpty, "backend \(backend), tau \(tau): \(bad)")
        }
    }

    /// One huge row next to an ordinary one, and the extremes alone.
    @Test("a batch mixing a huge row and an ordinary row; +-greatestFiniteMagnitude alone; Double")
    func batchesFinite() throws {
        let rows: [Float] = Self.mixed + [0.3, -0.2, 0.9, 0.1, -0.7, 0.5, 0.0, -1]
        let a = nonFinite(try EntryPoints(temperature: 0.1).outputs(rows, batch: 2, count: 8))
        #expect(a.isEmpty, "\(a)")
        let extremes: [Float] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, .leastNonzeroMagnitude]
        let b = nonFinite(try EntryPoints(temperature: 1).outputs(extremes, batch: 1, count: 4))
        #expect(b.isEmpty, "\(b)")
        let double: [Double] = [1e300, -1e300, .greatestFiniteMagnitude, -1.7e308, 0, 1e-308, -Double.leastNonzeroMagnitude, 1]
        let c = nonFinite(try EntryPoints(temperature: 1).outputs(double, batch: 1, count: 8))
        #expect(c.isEmpty, "\(c)")
    }

    /// Double scores whose NeuralSort logits `3 n max|s| / tau` reach Double's
    /// range (the loss rows subtract the largest numerator before dividing by
    /// `tau`): both loss paths give a finite loss and gradient on every backend.
    @Test("NeuralSort losses, Double scores near 1e308 / (3 n / tau): finite", arguments: [1e-3, 0.1, 1])
    func neuralSortLossesDoubleFinite(tau: Double) throws {
        let n = 8, top = 1e308 / (3 * Double(n) / tau)
        let rows: [Double] = [top, -top, top / 2, -0.75 * top, 0, 1e-308, -Double.leastNonzeroMagnitude, 1]
        for backend in Backend.available {
            for path in [SoftSortPath.dense, .fused] {
                let loss = try NeuralSort(temperature: tau, backend: backend).forward(scores: rows, batch: 1, count: n, path: path)
                    .crossEntropy(targets: try argsort(rows, batch: 1, count: n))
                #expect(loss.value.isFinite && loss.gradient.allSatisfy(\.isFinite), "backend \(backend), \(path): \(loss.value) \(loss.gradient)")
            }
        }
    }

    /// Ordinary scores are never rescaled: `c = 1` below the bound, so the
    /// code and its bits are those before rescaling existed.
    @Test("c = 1 for moderate scores; a power of two above the bound")
    func scaleChoice() {
        #expect(ScoreScale<Float>([1e18, -3, 0.5], bound: .distance(power: 2)).isIdentity)
        #expect(ScoreScale<Float>([1e37, -3], bound: .distance(power: 1)).isIdentity)
        #expect(ScoreScale<Float>([-1e30], bound: .neuralSort(count: 4000)).isIdentity)
        let huge = ScoreScale<Float>([3e38, 1], bound: .distance(power: 1))
        #expect(huge.factor == 16)  // 3e38 < 2^128; E = 124 for p = 1: c = 2^(127 - 124 + 1)
        let square = ScoreScale<Float>([1e30], bound: .distance(power: 2))
        #expect(square.factor == 0x1p39)
        // The result stays below 2^E, E = 61 for Float p = 2.
        #expect(Float(1e30) / square.factor < 0x1p61)
        // The rescaled temperature: exact tau / c^p, or the least normal when that underflows.
        #expect(square.temperature(1, power: 2) == 0x1p-78)
        #expect(ScoreScale<Float>([3e38], bound: .distance(power: 2)).temperature(1, power: 2) == Float.leastNormalMagnitude)
    }

    /// `P(2^k u, 2^(k p) tau) = P(u, tau)` bit for bit, and `dL/ds` is
    /// `2^-k` times `dL/du`, when `2^k u` is past the bound (rescaled) —
    /// SoftSort p = 1 and 2, the fused apply, NeuralSort, the exact path.
    @Test("exact rescaling: huge scores give the bits of the moderate problem, gradients times 1/c")
    func rescalingIsExact() throws {
        var random = TestRandom(seed: 3)
        let u = random.distinct(16, spread: 2).map { Float($0 - 1) }
        let g: [Float] = EntryPoints.upstream(16 * 16, seed: 2)
        for (p, k) in [(1.0, 126), (2.0, 62)] {
            let shift = Float(sign: .plus, exponent: k, significand: 1)
            let s = u.map { $0 * shift }
            let scaled = SoftSort(temperature: 0.25 * Double(Float.libmPow(shift, Float(p))), power: p)
            let plain = SoftSort(temperature: 0.25, power: p)
            let a = try scaled.forward(scores: s, batch: 1, count: 16, path: .dense)
            let b = try plain.forward(scores: u, batch: 1, count: 16, path: .dense)
            #expect(!a.plan.scale.isIdentity && b.plan.scale.isIdentity)
            let am = try a.matrices(), bm = try b.matrices()
            #expect(zip(am.values, bm.values).allSatisfy { sameBits($0, $1) }, "p = \(p)")
            #expect(zip(try am.backward(g), try bm.backward(g)).allSatisfy { closeScaled($0, $1, shift) }, "p = \(p)")
            let v: [Float] = EntryPoints.upstream(16, seed: 4)
            let fa = try scaled.forward(scores: s, batch: 1, count: 16, path: .fused).apply(to: v)
            let fb = try plain.forward(scores: u, batch: 1, count: 16, path: .fused).apply(to: v)
            #expect(zip(fa.values, fb.values).allSatisfy { sameBits($0, $1) })
            #expect(zip(try fa.backward(v).scores, try fb.backward(v).scores).allSatisfy { closeScaled($0, $1, shift) })
        }
        let shift: Float = 0x1p120
        let na = try NeuralSort(temperature: 0.5 * 0x1p120).forward(scores: u.map { $0 * shift }, batch: 1, count: 16, path: .dense)
        let nb = try NeuralSort(temperature: 0.5).forward(scores: u, batch: 1, count: 16, path: .dense)
        #expect(!na.plan.scale.isIdentity)
        let nam = try na.matrices(), nbm = try nb.matrices()
        #expect(zip(nam.values, nbm.values).allSatisfy { sameBits($0, $1) })
        #expect(zip(try nam.backward(g), try nbm.backward(g)).allSatisfy { closeScaled($0, $1, shift) })
        let big: Float = 0x1p126
        let ea = try SoftSort(temperature: 0.25 * 0x1p126, power: 1).forward(scores: u.map { $0 * big }, batch: 1, count: 16, path: .exact)
        let eb = try SoftSort(temperature: 0.25, power: 1).forward(scores: u, batch: 1, count: 16, path: .exact)
        #expect(!ea.plan.scale.isIdentity)
        let la = try ea.crossEntropy(targets: ea.permutation), lb = try eb.crossEntropy(targets: eb.permutation)
        #expect(sameBits(la.value, lb.value))
        #expect(zip(la.gradient, lb.gradient).allSatisfy { sameBits($0 * big, $1) })
        #expect(zip(try ea.sortedValues().values, try eb.sortedValues().values).allSatisfy { sameBits($0, $1 * big) })
    }

    /// The exact cross-entropy was `+inf` for huge scores; now it is the
    /// true (finite) loss, and `+inf` only where the true loss exceeds
    /// `Float.greatestFiniteMagnitude` (documented).
    @Test("exact cross-entropy: finite for huge scores, +inf only past Float's range")
    func exactLossRange() throws {
        let s: [Float] = [3e38, -3e38, 1, 0]
        let exact = try SoftSort(temperature: 1, power: 1).forward(scores: s, batch: 1, count: 4, path: .exact)
        let own = try exact.crossEntropy(targets: exact.permutation)
        #expect(own.value.isFinite && own.gradient.allSatisfy(\.isFinite))
        // Row 0 (centre 3e38) picking column 1 (-3e38): the true loss is about 6e38.
        let far = try exact.crossEntropy(targets: [1, 0, 2, 3])
        #expect(far.value == .infinity && far.gradient.allSatisfy(\.isFinite))
        let double = try SoftSort(temperature: 1, power: 1).forward(scores: s.map(Double.init), batch: 1, count: 4, path: .exact)
        // Rows sorted (3e38, 1, 0, -3e38) pick 6e38, 3e38, 1 and 3e38 away: about 1.2e39.
        #expect(abs(try double.crossEntropy(targets: [1, 0, 2, 3]).value - 1.2e39) < 1e33)
    }

    /// Subnormal and extreme temperatures that pass validation give finite results.
    @Test("temperatures 1e-30 and 1e30 with ordinary and huge scores: finite", arguments: [1e-30, 1e30])
    func extremeTemperatures(tau: Double) throws {
        let ordinary: [Float] = [0.3, -0.2, 0.9, 0.1]
        #expect(nonFinite(try EntryPoints(temperature: tau).outputs(ordinary, batch: 1, count: 4)).isEmpty)
        let huge = try EntryPoints(temperature: tau).outputs(Self.mixed, batch: 1, count: 8)
        // At tau = 1e-30 NeuralSort's rows for the near-tied tiny scores are
        // soft, so d(P s)/ds there is about max|s| / tau = 3e68: not
        // representable in Float, and the one output allowed to be infinite.
        let allowed = tau < 1 ? ["NeuralSort dense d(P s)"] : []
        let bad = nonFinite(huge)
        #expect(bad == allowed, "\(bad)")
    }
}

/// `a c` equals `b` up to rounding: `a` is a gradient of the problem scaled
/// by `c`, whose small entries round as subnormals (absolute slack `c` times
/// the least nonzero `Float`), the rest within 2^-20 of the largest.
func closeScaled(_ a: Float, _ b: Float, _ c: Float) -> Bool {
    abs(Double(a) * Double(c) - Double(b)) <= 0x1p-20 * max(1, abs(Double(b))) + Double(c) * Double(Float.leastNonzeroMagnitude)
}
