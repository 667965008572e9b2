import Foundation
import Testing
@testable import SoftSortKit

/// Inputs the public-API fuzzer (Fuzz/) found, each now in Fuzz/Corpus:
/// finite input whose true results are finite gave NaN because an
/// intermediate left the type's range. Each case is checked against a
/// `Double` reference, Float and Double.
@Suite("Hostile inputs: the API fuzzer's findings")
struct HostileFuzzFindingsTests {
    /// `|got - expected| <= tolerance` entry by entry, `expected` in `Double`.
    func expectClose<T: SoftSortScalar>(
        _ got: [T], _ expected: [Double], tolerance: Double, _ what: @autoclosure () -> String
    ) {
        #expect(got.count == expected.count, "\(what()): \(got.count) entries, expected \(expected.count)")
        for (g, e) in zip(got, expected) where !(abs(Double(g) - e) <= tolerance) {
            Issue.record("\(what()): \(g), expected \(e) within \(tolerance)")
            return
        }
    }

    // MARK: P V with large values and a large upstream gradient

    /// `apply(to:)`'s backward with `|G| |V|` beyond the type's range while
    /// `dL/ds` is not: `<G[i], V[j]>` overflowed before it cancelled (NaN).
    /// The fuzzer's input: Float, p = 1, tau = 1, all-equal scores (no NaN).
    /// Then distinct scores with tau = the scores' scale, where `dL/ds` is
    /// about `|G| |V| / tau`, in range: as the reference.
    @Test("apply(to:) backward with |G| |V| beyond the type's range: dL/ds as the Double reference", arguments: [1.0, 2])
    func productGradientOverflowingIntermediates(power: Double) throws {
        try overflowingProduct(Float.self, power: power, size: 1e20, referenceShift: 0)
        try overflowingProduct(Double.self, power: power, size: 1e155, referenceShift: 200)
    }

    func overflowingProduct<T: SoftSortScalar>(_: T.Type, power: Double, size: Double, referenceShift k: Int) throws {
        var paths: [SoftSortPath] = [.automatic, .dense, .fused]
        paths.append(power == 1 ? .exact : .gauss)
        // The fuzzer's input (all-equal scores) and distinct scores at the scale 1e10.
        let equal: (scores: [Double], tau: Double) = ([Double](repeating: 3.3125, count: 9), 1)
        let distinct: (scores: [Double], tau: Double) = (
            [0, 1e10, -2e10, 3e10, 2.5e10, -1e10, 0.5e10, 1.5e10, -3e10], Foundation.pow(1e10, power))
        let values: [Double] = [-5, -2, -4.9375, 4.3125, -4.125, 3.0625, -1.625, -4.4375, -1].map { $0 * size }
        let gradient: [Double] = [-5, -5, -5, -5, -5, -5, -1, -1, -1].map { $0 * size }
        for (scores, tau) in [equal, distinct] {
            // The reference on V / 2^k and G / 2^k (bilinear in both), scaled back.
            let c = Foundation.pow(2, Double(k))
            let reference = Reference.product(
                .softSort(power: power), scores: scores, values: values.map { $0 / c }, gradient: gradient.map { $0 / c },
                batch: 3, count: 3, dimension: 1, temperature: tau, transposed: false)
            let expected = reference.scores.map { $0 * c * c }
            let largest = values.map(abs).max()! * gradient.map(abs).max()! / tau
            for path in paths {
                let what = "\(T.self) p = \(power) tau = \(tau) \(path)"
                let product = try SoftSort(temperature: tau, power: power)
                    .forward(scores: scores.map { T($0) }, batch: 3, count: 3, path: path, workspace: nil as Workspace<T>?)
                    .apply(to: values.map { T($0) }, dimension: 1)
                let g = try product.backward(gradient.map { T($0) })
                #expect(!g.scores.contains { $0.isNaN } && g.values.allSatisfy(\.isFinite), "\(what): \(g)")
                // c n eps of the terms |G| |V| / tau (p = 2: 2 |x| / tau, at most 6e10 / tau more).
                // At exact ties dL/ds depends on the path's subgradient of |x| (the exact scans take sign 1 by
                // order, the reference 0): there only NaN is wrong.
                guard scores != equal.scores else { continue }
                let tolerance = 64 * Double(T.ulpOfOne) * largest * (power == 2 ? 12e10 : 1)
                expectClose(g.scores, expected, tolerance: tolerance, what + " dL/ds")
                expectClose(g.values, reference.valueGradient.map { $0 * c }, tolerance: 64 * Double(T.ulpOfOne) * 5 * size,
                            what + " dL/dV")
            }
        }
    }

    // MARK: Gumbel samples whose product gradients pass the type's range

    /// `apply(to:)`'s backward under a Gumbel perturbation with `|G| |V|`
    /// beyond the type's range: each sample's `dL/ds` was grown back to full
    /// size (infinite where it passes the range) before the samples were
    /// summed, and two samples of opposite signs met as `inf - inf` (NaN).
    /// The fuzzer's input: Float, p = 2, tau = 1, descending, three samples.
    /// Checked against the Double reference on the perturbed scores: no NaN,
    /// an infinite entry only where the reference passes the range (with its
    /// sign), and finite entries within the terms' rounding.
    @Test("Gumbel samples' apply(to:) backward with |G| |V| beyond the type's range: no inf - inf, as the reference")
    func perturbedProductBeyondTheRange() throws {
        try perturbedProduct(Float.self, size: 1e30)
        try perturbedProduct(Double.self, size: 1e200)
    }

    /// The fuzzer's row, its three Gumbel samples (`logScores`, seed 0) and
    /// an upstream gradient of `size` times 0.5 or -1 an entry of the samples.
    static func fuzzedRow(size: Double) -> (scores: [Double], samples: Int, gradient: [Double], perturbation: GumbelPerturbation) {
        let scores: [Double] = [-4.9375, -2.5625, -5, -1e-45, -4.9375, -5, -1.6875, -5, -4.8125, 3.375, -5, -4.8125]
        let samples = 3
        let gradient: [Double] = (0..<samples * scores.count).map { $0 % 4 == 0 ? 0.5 : -1 }.map { $0 * size }
        return (scores, samples, gradient, GumbelPerturbation(samplesPerRow: samples, scoreKind: .logScores, seed: 0))
    }

    func perturbedProduct<T: SoftSortScalar>(_: T.Type, size: Double) throws {
        let (scores, samples, gradient, perturbation) = Self.fuzzedRow(size: size)
        let n = scores.count
        let values: [Double] = (0..<samples * n).map { $0 % 5 == 0 ? Double($0 % 7) - 3.4375 : -1 }.map { $0 * size }
        for path in [SoftSortPath.automatic, .dense, .fused, .gauss] {
            let what = "\(T.self) \(path)"
            let result = try SoftSort(temperature: 1, power: 2, direction: .descending, perturbation: perturbation)
                .forward(scores: scores.map { T($0) }, batch: 1, count: n, path: path, workspace: nil as Workspace<T>?)
            let g = try result.apply(to: values.map { T($0) }, dimension: 1).backward(gradient.map { T($0) })
            // The reference on V / c and G / c (bilinear in both) on the perturbed rows, summed over the samples.
            let c = size
            let reference = Reference.product(
                .softSort(power: 2), scores: result.scores.map { Double($0) }, values: values.map { $0 / c },
                gradient: gradient.map { $0 / c }, batch: samples, count: n, dimension: 1, temperature: 1,
                direction: .descending, transposed: false)
            // dL/ds in units of c^2, and the type's largest in those units.
            let expected = (0..<n).map { j in (0..<samples).reduce(0.0) { $0 + reference.scores[$1 * n + j] } }
            let top = Double(T.greatestFiniteMagnitude) / c / c
            #expect(!g.scores.contains { $0.isNaN }, "\(what): \(g.scores)")
            #expect(expected.filter { abs($0) > 2 * top }.count >= n / 2, "\(what): the case should pass the range: \(expected)")
            // Rounding: eps of the terms |G| |V| 2 |x| / tau (|x| <= 20), n of them per sample.
            let tolerance = 64 * Double(T.ulpOfOne) * 40 * Double(n * samples)
            for (got, e) in zip(g.scores, expected) {
                if abs(e) > top + tolerance {
                    #expect(got.isInfinite && (got > 0) == (e > 0), "\(what): \(got), expected \(e) c^2")
                } else if abs(e) + tolerance < top {
                    #expect(abs(Double(got) / c / c - e) <= tolerance, "\(what): \(got), expected \(e) c^2")
                }
            }
        }
    }

    /// The same through the outputs whose backward runs a product: sorted
    /// values `P s` (score and value parts added) on the fused path and ranks
    /// `P^T r` on the dense path, |G| near the type's largest. The parts and
    /// the samples are summed before the product's scale grows them; before,
    /// the ranks' samples met as inf - inf (NaN, both types).
    @Test("Gumbel samples' sortedValues() and ranks() backward through a product with |G| beyond the type's range: no inf - inf")
    func perturbedValuesBeyondTheRange() throws {
        try perturbedValues(Float.self, size: 3e38)
        try perturbedValues(Double.self, size: 1.7e308)
    }

    func perturbedValues<T: SoftSortScalar>(_: T.Type, size: Double) throws {
        let (scores, samples, gradient, perturbation) = Self.fuzzedRow(size: size)
        let n = scores.count
        let cases: [(output: String, path: SoftSortPath)] = [("sortedValues", .fused), ("ranks", .dense)]
        for (output, path) in cases {
            let what = "\(T.self) \(output) \(path)"
            let result = try SoftSort(temperature: 1, power: 2, direction: .descending, perturbation: perturbation)
                .forward(scores: scores.map { T($0) }, batch: 1, count: n, path: path, workspace: nil as Workspace<T>?)
            let values = try output == "ranks" ? result.ranks() : result.sortedValues()
            let g = try values.backward(gradient.map { T($0) })
            // The reference on G / c (linear in G) on the perturbed rows: P s with V = s (its value part
            // joins dL/ds), or P^T r with r = 1 ... n; summed over the samples, in units of c.
            let perturbed = result.scores.map { Double($0) }
            let ranks = (0..<samples * n).map { Double($0 % n + 1) }
            let reference = Reference.product(
                .softSort(power: 2), scores: perturbed, values: output == "ranks" ? ranks : perturbed,
                gradient: gradient.map { $0 / size }, batch: samples, count: n, dimension: 1, temperature: 1,
                direction: .descending, transposed: output == "ranks")
            let perSample = output == "ranks" ? reference.scores : zip(reference.scores, reference.valueGradient).map { $0 + $1 }
            let expected = (0..<n).map { j in (0..<samples).reduce(0.0) { $0 + perSample[$1 * n + j] } }
            let top = Double(T.greatestFiniteMagnitude) / size
            #expect(!g.contains { $0.isNaN }, "\(what): \(g)")
            #expect(expected.filter { abs($0) > 2 * top }.count >= n / 3, "\(what): the case should pass the range: \(expected)")
            let tolerance = 64 * Double(T.ulpOfOne) * 400 * Double(n * samples)
            for (got, e) in zip(g, expected) {
                if abs(e) > top + tolerance {
                    #expect(got.isInfinite && (got > 0) == (e > 0), "\(what): \(got), expected \(e) c")
                } else if abs(e) + tolerance < top {
                    #expect(abs(Double(got) / size - e) <= tolerance * max(1, abs(e)), "\(what): \(got), expected \(e) c")
                }
            }
        }
    }

    // MARK: p < 1 at a subnormal gap

    /// `d'(x) = p |x|^(p - 1)` at a subnormal `x` with `p` near 0: `|x|^(p-1)`
    /// overflowed (about `1 / x`) where `p |x|^(p - 1)` is finite, and `dL/ds`
    /// through `P` was NaN. The fuzzer's input was Double, p = 6.7e-33.
    @Test("dL/dP backward, p near 0, scores a subnormal apart: finite, as the Double reference")
    func powerBelowOneAtSubnormalGap() throws {
        try subnormalGap(Float.self, power: 1e-30)
        try subnormalGap(Double.self, power: 6.692793901157807e-33)
    }

    func subnormalGap<T: SoftSortScalar>(_: T.Type, power p: Double) throws {
        let gap = T.leastNonzeroMagnitude * 3
        let scores: [T] = [-0.0, -0.0, -0.0, -0.0, gap]
        let upstream: [T] = (0..<25).map { T(-5 + Double($0 % 7) / 4) }
        let s = scores.map { Double($0) }, g = upstream.map { Double($0) }
        let expected = Self.subnormalReference(scores: s, power: p, gradient: g)
        let nonzero = expected.contains { $0 != 0 }
        #expect(expected.allSatisfy(\.isFinite) && nonzero, "reference: \(expected)")
        let scale = expected.map(abs).max()!
        for path in [SoftSortPath.automatic, .dense] {
            let result = try SoftSort(temperature: 1, power: p, direction: .ascending)
                .forward(scores: scores, batch: 1, count: 5, path: path, workspace: nil as Workspace<T>?)
            let dS = try result.matrices(.soft).backward(upstream)
            let finite = dS.allSatisfy { $0.isFinite }
            #expect(finite, "\(T.self) \(path): \(dS)")
            expectClose(dS, expected, tolerance: 1e-3 * scale, "\(T.self) \(path)")
        }
    }

    /// SoftSort's `dL/ds` from `dL/dP` for one row, ascending, tau = 1, with
    /// `d'(x) = p / |x|^(1 - p)` (`|x|^(1 - p)` cannot overflow for `p < 1`).
    static func subnormalReference(scores s: [Double], power p: Double, gradient: [Double]) -> [Double] {
        let n = s.count
        let perm = Reference.order(s, direction: .ascending)
        let derivative = { (x: Double) -> Double in x == 0 ? 0 : (x > 0 ? 1 : -1) * p / Foundation.pow(abs(x), 1 - p) }
        var dScores = [Double](repeating: 0, count: n), dSorted = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let logits = s.map { -Foundation.pow(abs(s[perm[i]] - $0), p) }
            let probabilities = Reference.softmax(logits)
            let dLogits = Reference.softmaxBackward(probabilities, Array(gradient[i * n ..< i * n + n]))
            for j in 0..<n {
                let dx = -dLogits[j] * derivative(s[perm[i]] - s[j])
                dSorted[i] += dx
                dScores[j] -= dx
            }
        }
        for i in 0..<n { dScores[perm[i]] += dSorted[i] }
        return dScores
    }

    // MARK: a huge p on tied scores

    /// p = 8.4e37 rescales tau to the least normal (`ScoreScale`), so
    /// `1 / tau` is infinite in the vector kernels, and `d'(x) * inf` was NaN
    /// where `d'(x)` is 0: at ties (`d'(0) = 0`; on all-equal scores the true
    /// `dL/ds` is 0, the reference's too, whatever the upstream gradient) and
    /// where `|x|^(p - 1)` underflows (the logit is flat there: no NaN).
    @Test("ranks and sorted values backward, p = 8.4e37 on tied scores: dL/ds is 0, as the reference")
    func hugePowerOnTies() throws {
        try hugePower(Float.self)
        try hugePower(Double.self)
    }

    func hugePower<T: SoftSortScalar>(_: T.Type) throws {
        let p = 8.440727073595439e+37
        let scores = [T](repeating: 2.875, count: 9)
        let upstream: [T] = (0..<9).map { T($0 * 3 - 5) }
        let expected = Reference.softSortBackward(
            scores: scores.map { Double($0) }, batch: 1, count: 9, temperature: 1, power: p,
            gradient: (0..<81).map { Double($0 % 9) })
        #expect(expected.allSatisfy { $0 == 0 })
        for path in [SoftSortPath.automatic, .dense, .fused] {
            let result = try SoftSort(temperature: 1, power: p)
                .forward(scores: scores, batch: 1, count: 9, path: path, workspace: nil as Workspace<T>?)
            // The fused path has no ranks (P^T U).
            if path != .fused {
                expectClose(try result.ranks().backward(upstream), expected, tolerance: 0, "\(T.self) \(path) ranks")
            }
            // One score apart, its |x|^(p - 1) underflows: no NaN.
            let apart = try SoftSort(temperature: 1, power: p).forward(
                scores: scores.dropLast() + [-5], batch: 1, count: 9, path: path, workspace: nil as Workspace<T>?)
            let finite = try apart.sortedValues().backward(upstream).allSatisfy { $0.isFinite }
                && (path == .fused || (try apart.ranks().backward(upstream)).allSatisfy { $0.isFinite })
            #expect(finite, "\(T.self) \(path) one score apart")
            let sorted = try result.sortedValues().backward(upstream)
            // P s with P uniform and no gradient through P: dL/ds = P^T G = mean(G) everywhere.
            let mean = upstream.reduce(0) { $0 + Double($1) } / 9
            expectClose(sorted, [Double](repeating: mean, count: 9), tolerance: 1e-5, "\(T.self) \(path) sorted values")
        }
    }

    /// p = 8.4e37 with scores near the type's largest asked for a scale
    /// `c = 2^1025` (Double), infinite: the sorted values were NaN. `c` now
    /// stops at the largest power of two; the forward outputs are finite and
    /// within each row's range (P is one-hot but for the ties).
    @Test("p = 8.4e37 with scores near greatestFiniteMagnitude: finite sorted values within the row's range")
    func hugePowerAtTheLargest() throws {
        try hugePowerLargest(Float.self)
        try hugePowerLargest(Double.self)
    }

    func hugePowerLargest<T: SoftSortScalar>(_: T.Type) throws {
        let big = -T.greatestFiniteMagnitude
        let scores: [T] = [2.875, 2.875, 2.875, 2.875, 2.875, big, big, big, big]
        for path in [SoftSortPath.automatic, .dense, .fused] {
            let result = try SoftSort(temperature: 1, power: 8.440727073595439e+37)
                .forward(scores: scores, batch: 1, count: 9, path: path, workspace: nil as Workspace<T>?)
            let values = try result.sortedValues().values
            let inRange = values.allSatisfy { $0.isFinite && $0 >= big && $0 <= 2.875 }
            #expect(inRange, "\(T.self) \(path): \(values)")
            // Descending: the five ties first, then the four equal at the type's largest magnitude.
            #expect(values == [T](repeating: 2.875, count: 5) + [T](repeating: big, count: 4), "\(T.self) \(path)")
        }
    }

    // MARK: empty rows with a huge dimension

    /// `B` rows of length 0 and `d` with `B d` beyond `Int`: `n d` and `B n d`
    /// fit (both 0), so the values are valid, but the gauss product sized its
    /// means `B d` and trapped. Every product on every path: an empty result
    /// or a typed error.
    @Test("products of empty rows with B d beyond Int: an empty result or a typed error on every path")
    func emptyRowsHugeDimension() throws {
        try emptyRows(Float.self)
        try emptyRows(Double.self)
    }

    func emptyRows<T: SoftSortScalar>(_: T.Type) throws {
        let d = Int.max / 2
        let cases: [(any RelaxedSortOperator, SoftSortPath)] = [
            (SoftSort(power: 2), .gauss), (SoftSort(power: 2), .fused), (SoftSort(power: 2), .dense),
            (SoftSort(power: 1), .exact), (SoftSort(power: 1), .window(.ranks(2))), (NeuralSort(), .dense),
        ]
        for (op, path) in cases {
            let result = try op.forward(scores: [T](), batch: 4, count: 0, path: path, workspace: nil as Workspace<T>?)
            for output in 0..<3 {
                do {
                    let product = switch output {
                    case 0: try result.apply(to: [], dimension: d)
                    case 1: try result.applyTransposed(to: [], dimension: d)
                    default: try result.topK(0, of: [], dimension: d)
                    }
                    #expect(product.values.isEmpty, "\(T.self) \(path) output \(output)")
                    let gradient = try product.backward([])
                    #expect(gradient.scores.isEmpty && gradient.values.isEmpty, "\(T.self) \(path) output \(output)")
                } catch {
                    // A typed error is an allowed answer.
                }
            }
        }
    }

    // MARK: the kNN loss with matches near the type's largest

    /// `matches` near `T.greatestFiniteMagnitude`: the loss's sum overflowed
    /// both ways (NaN) where the true loss, a mean of convex combinations of
    /// `y`, is within range. The fuzzer's input: Float, p = 1, tau = 0.1,
    /// every match `-Float.greatestFiniteMagnitude`; then mixed signs.
    @Test("kNN loss with matches near greatestFiniteMagnitude: loss and dL/ds as the Double reference")
    func nearestNeighborsAtTheLargest() throws {
        try hugeMatches(Float.self, referenceShift: 0)
        try hugeMatches(Double.self, referenceShift: 600)
    }

    func hugeMatches<T: SoftSortScalar>(_: T.Type, referenceShift k: Int) throws {
        let top = Double(T.greatestFiniteMagnitude)
        let scores: [Double] = [-5, -5, 0.8125, -5, -4.875, 1]
        let cases: [[Double]] = [
            [Double](repeating: -top, count: 6),
            [-top, 0.75 * top, -0.5 * top, top, 0.25 * top, -top],
        ]
        for matches in cases {
            let c = Foundation.pow(2, Double(k))
            let reference = Reference.softSortNearestNeighbors(
                scores: scores, matches: matches.map { $0 / c }, k: 3, batch: 1, count: 6, temperature: 0.1, power: 1)
            // c n eps of the terms |y| / tau.
            let tolerance = 64 * Double(T.ulpOfOne) * top / 0.1
            for path in [SoftSortPath.automatic, .dense, .fused, .exact] {
                let what = "\(T.self) \(path) matches \(matches[0...1])"
                let loss = try SoftSort(temperature: 0.1, power: 1)
                    .forward(scores: scores.map { T($0) }, batch: 1, count: 6, path: path, workspace: nil as Workspace<T>?)
                    .nearestNeighborLoss(matches: matches.map { T($0) }, k: 3)
                #expect(loss.value.isFinite && loss.gradient.allSatisfy(\.isFinite), "\(what): \(loss)")
                #expect(abs(Double(loss.value) - reference.loss * c) <= 1e-5 * top, "\(what): \(loss.value)")
                expectClose(loss.gradient, reference.gradient.map { $0 * c }, tolerance: tolerance, what)
            }
        }
    }
}
