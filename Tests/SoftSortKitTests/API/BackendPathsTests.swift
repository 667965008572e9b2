import Foundation
import Testing
@testable import SoftSortKit

/// The windowed, exact and stochastic paths on every available backend,
/// `Float` and `Double`, against the `Double` reference, with the backend
/// each result reports checked against what runs: the C kernels exist for
/// `Float` with `p = 1` or `p = 2` only (another `p`, or `Double`, runs and
/// reports `simd`), and the exact scans are `scalar` (one row at a time) or
/// `simd` (rows in lanes; `avx2` has no C scans and reports `simd`).
@Suite("Window, exact and stochastic paths on every backend")
struct BackendPathsTests {
    /// What a dense-kernel path (dense, windowed, stochastic) reports when `backend` is asked for.
    static func denseBackend<T: SoftSortScalar>(_ backend: Backend, _: T.Type, power: Double) -> Backend {
        guard backend == .avx2 else { return backend }
        return T.self == Float.self && (power == 1 || power == 2) ? .avx2 : .simd
    }

    /// Tie-free rows in `[-1, 1)`.
    static func scores(batch: Int, count: Int, seed: UInt64) -> [Double] {
        var random = TestRandom(seed: seed)
        return (0..<batch).flatMap { _ in random.distinct(count, spread: 2).map { $0 - 1 } }
    }

    // MARK: Windowed

    /// The windowed rows and their backward, from the `Double` definition,
    /// for the windows `result` chose: each kept row `i` is the softmax of
    /// `z_t = -|x_i - x_(low + t)|^p / tau` over its window alone, and the
    /// backward goes node by node (softmax VJP, the distance, the sort).
    static func windowReference<T: SoftSortScalar>(
        _ result: SparseRows<T>, scores: [Double], temperature tau: Double, power p: Double,
        gradient: [Double]
    ) -> (values: [Double], scores: [Double]) {
        let n = result.count, k = result.rows
        var values = [Double](), dScores = [Double](repeating: 0, count: result.batch * n)
        for b in 0..<result.batch {
            let order = Array(result.permutation[b * n ..< (b + 1) * n])
            let x = order.map { scores[b * n + $0] }
            var dSorted = [Double](repeating: 0, count: n)
            for i in 0..<k {
                let r = b * k + i, low = result.firstRank[r]
                let width = result.rowOffsets[r + 1] - result.rowOffsets[r]
                let d = (0..<width).map { x[i] - x[low + $0] }
                let q = Reference.softmax(d.map { -pow(abs($0), p) / tau })
                values += q
                let g = Array(gradient[result.rowOffsets[r] ..< result.rowOffsets[r + 1]])
                let dz = Reference.softmaxBackward(q, g)
                for t in 0..<width where d[t] != 0 {
                    // dz_t / dx_i = -p |d|^(p-1) sign(d) / tau; the opposite for x_(low+t).
                    let slope = -p * pow(abs(d[t]), p - 1) * (d[t] > 0 ? 1 : -1) / tau
                    dSorted[i] += dz[t] * slope
                    dSorted[low + t] -= dz[t] * slope
                }
            }
            for rank in 0..<n { dScores[b * n + order[rank]] += dSorted[rank] }
        }
        return (values, dScores)
    }

    /// `unit`: the rounding unit of `T`; a logit is off by about
    /// `unit (6 |z| + 2 n + 8)` and `P |z| <= 1/e` (the documentation's
    /// "Accuracy"), so entries are checked to `4 unit (2 n + 16)`.
    static func checkWindowed<T: SoftSortScalar>(
        _: T.Type, backend: Backend, unit: Double, gradientTolerance: Double
    ) throws {
        let batch = 2
        for n in [1, 7, 9, 17, 33] {
            let original = Self.scores(batch: batch, count: n, seed: UInt64(300 + n))
            let s = original.map { T($0) }, sd = s.map { Double($0) }
            for power in [1.0, 2.0, 1.5] {
                for tau in [0.05, 0.5] {
                    let t = Double(T(tau))
                    for window in [SoftSortPath.Window.ranks(0), .ranks(3), .ranks(n), .tolerance(1e-4)] {
                        for direction in [SortDirection.descending, .ascending] {
                            let label = "\(T.self) \(backend) n \(n) p \(power) tau \(tau) \(window) \(direction)"
                            let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                            let result = try op.forward(scores: s, batch: batch, count: n, path: .window(window))
                                .sparseRows(rows: (n + 1) / 2)
                            #expect(result.path == .window(window) && result.rows == (n + 1) / 2, "\(label)")
                            #expect(result.backend == Self.denseBackend(backend, T.self, power: power), "\(label)")
                            var order: [Int] = []
                            for b in 0..<batch {
                                order += Reference.order(Array(sd[b * n ..< (b + 1) * n]), direction: direction)
                            }
                            #expect(result.permutation == order, "\(label)")
                            // The windows do not depend on the backend.
                            let scalar = try SoftSort(temperature: tau, power: power, direction: direction, backend: .scalar)
                                .forward(scores: s, batch: batch, count: n, path: .window(window))
                                .sparseRows(rows: (n + 1) / 2)
                            #expect(result.firstRank == scalar.firstRank && result.rowOffsets == scalar.rowOffsets,
                                    "\(label)")
                            let g = (0..<result.values.count).map { Double(($0 * 37) % 11) / 11 - 0.5 }
                            let expected = Self.windowReference(result, scores: sd, temperature: t, power: power,
                                                                gradient: g)
                            #expect(maxAbsDifference(result.values.map { Double($0) }, expected.values)
                                    <= 4 * unit * Double(2 * n + 16), "\(label)")
                            let gradient = try result.backward(g.map { T($0) }).map { Double($0) }
                            let scale = max(maxAbs(expected.scores), 1) * Double(n) / tau
                            #expect(maxAbsDifference(gradient, expected.scores) <= gradientTolerance * scale, "\(label)")
                        }
                    }
                }
            }
        }
    }

    @Test("the window path's sparse rows, Double, against their definition", arguments: Backend.available)
    func windowedDouble(backend: Backend) throws {
        try Self.checkWindowed(Double.self, backend: backend, unit: 0x1p-53, gradientTolerance: 1e-14)
    }

    @Test("the window path's sparse rows, Float, against their Double definition", arguments: Backend.available)
    func windowedFloat(backend: Backend) throws {
        try Self.checkWindowed(Float.self, backend: backend, unit: 0x1p-24, gradientTolerance: 2e-6)
    }

    @Test("a full window is the dense path's first k rows, on the same backend", arguments: Backend.available)
    func fullWindowIsDense(backend: Backend) throws {
        let n = 33, k = 12
        let s = Self.scores(batch: 2, count: n, seed: 310).map { Float($0) }
        for power in [1.0, 2.0, 1.5] {
            let op = SoftSort(temperature: 0.2, power: power, backend: backend)
            let windowed = try op.forward(scores: s, batch: 2, count: n, path: .window(.ranks(n))).sparseRows(rows: k)
            let dense = try op.forward(scores: s, batch: 2, count: n, path: .dense).matrices()
            #expect(windowed.backend == dense.backend, "p \(power)")
            let rows = (0..<2).flatMap { b in dense.values[b * n * n ..< (b * n + k) * n] }
            #expect(maxAbsDifference(windowed.denseRows(), rows) <= 1e-7, "\(backend) p \(power)")
        }
    }

    // MARK: Exact

    /// The exact scans on one backend against the dense reference: `P V`,
    /// `P^T U`, `P s`, ranks and the `P V` backward.
    static func checkExact<T: SoftSortScalar>(_: T.Type, backend: Backend, tolerance: Double) throws {
        // Batches below, at and past the scan lanes (8 Float, 4 Double rows).
        for (batch, n) in [(1, 1), (3, 7), (5, 9), (9, 17), (4, 32), (11, 8)] {
            let s = Self.scores(batch: batch, count: n, seed: UInt64(400 + 13 * batch + n)).map { T($0) }
            let sd = s.map { Double($0) }
            var random = TestRandom(seed: 401)
            let d = 2
            let v = (0..<batch * n * d).map { _ in T(random.uniform()) }, vd = v.map { Double($0) }
            let g = (0..<batch * n * d).map { _ in T(random.uniform()) }, gd = g.map { Double($0) }
            for direction in [SortDirection.descending, .ascending] {
                for tau in [0.05, 1.0] {
                    let t = Double(T(tau)), label = "\(T.self) \(backend) B \(batch) n \(n) tau \(tau) \(direction)"
                    let exact = try SoftSort(temperature: tau, power: 1, direction: direction, backend: backend)
                        .forward(scores: s, batch: batch, count: n, path: .exact)
                    let scanBackend = try exact.sortedValues().backend
                    #expect(scanBackend == (backend == .scalar ? .scalar : .simd), "\(label)")
                    let dense = ExactScanTests.Dense(scores: sd, batch: batch, count: n, temperature: t,
                                                     direction: direction)
                    let product = try exact.apply(to: v, dimension: d)
                    #expect(product.backend == scanBackend && product.path == .exact, "\(label)")
                    #expect(relativeError(product.values, dense.apply(vd, d)) <= tolerance, "\(label): P V")
                    #expect(relativeError(try exact.applyTransposed(to: g, dimension: d).values,
                                          dense.applyTransposed(gd, d)) <= tolerance, "\(label): P^T U")
                    #expect(relativeError(try exact.sortedValues().values, dense.apply(sd, 1)) <= tolerance, "\(label): P s")
                    let r = (0..<batch * n).map { Double($0 % n + 1) }
                    #expect(relativeError(try exact.ranks().values, dense.applyTransposed(r, 1)) <= tolerance, "\(label): ranks")
                    let vjp = try product.backward(g)
                    let expected = ApplyTests.reference(
                        scores: sd, values: vd, gradient: gd, batch: batch, count: n, dimension: d, temperature: t,
                        power: 1, direction: direction)
                    #expect(relativeError(vjp.scores, expected.scores) <= 10 * tolerance, "\(label): dL/ds")
                    #expect(relativeError(vjp.values, expected.values) <= tolerance, "\(label): dL/dV")
                }
            }
        }
    }

    @Test("the exact path, Double, against the dense reference", arguments: Backend.available)
    func exactDouble(backend: Backend) throws {
        try Self.checkExact(Double.self, backend: backend, tolerance: 1e-12)
    }

    @Test("the exact path, Float, against the dense Double reference", arguments: Backend.available)
    func exactFloat(backend: Backend) throws {
        try Self.checkExact(Float.self, backend: backend, tolerance: 1e-5)
    }

    @Test("the scalar and lane scans agree, and lanes do not leak between batch rows")
    func exactScalarAgainstLanes() throws {
        // 11 rows: one group of 8 Float (two of 4 Double) lanes and 3 single rows.
        let batch = 11, n = 20
        let s = Self.scores(batch: batch, count: n, seed: 410)
        let scalar = try SoftSort(temperature: 0.1, power: 1, backend: .scalar)
            .forward(scores: s, batch: batch, count: n, path: .exact).sortedValues()
        let lanesResult = try SoftSort(temperature: 0.1, power: 1, backend: .simd)
            .forward(scores: s, batch: batch, count: n, path: .exact)
        let lanes = try lanesResult.sortedValues()
        #expect(scalar.backend == .scalar && lanes.backend == .simd)
        #expect(relativeError(lanes.values, scalar.values) <= 1e-13)
        let scalarLogs = try SoftSort(temperature: 0.1, power: 1, backend: .scalar)
            .forward(scores: s, batch: batch, count: n, path: .exact).logNormalizers()
        #expect(relativeError(try lanesResult.logNormalizers(), scalarLogs) <= 1e-13)
        // Each row alone gives that row of the batch: no lane reads another lane's row.
        for b in [0, 5, 7, 8, 10] {
            let alone = try SoftSort(temperature: 0.1, power: 1, backend: .simd)
                .forward(scores: Array(s[b * n ..< (b + 1) * n]), batch: 1, count: n, path: .exact)
            #expect(relativeError(try alone.sortedValues().values, Array(lanes.values[b * n ..< (b + 1) * n]))
                    <= 1e-13, "row \(b)")
        }
    }

    // MARK: Stochastic

    /// Tolerances as `checkWindowed`'s.
    static func checkStochastic<T: SoftSortScalar>(
        _: T.Type, backend: Backend, unit: Double, gradientTolerance: Double
    ) throws {
        let batch = 2, samples = 3
        for n in [1, 7, 9, 17] {
            let s = Self.scores(batch: batch, count: n, seed: UInt64(500 + n)).map { T($0) }
            for power in [1.0, 2.0, 1.5] {
                let tau = 0.3, t = Double(T(tau)), label = "\(T.self) \(backend) n \(n) p \(power)"
                let perturbation = GumbelPerturbation(samplesPerRow: samples, seed: 11)
                let op = SoftSort(temperature: tau, power: power, backend: backend, perturbation: perturbation)
                let result = try op.forward(scores: s, batch: batch, count: n, path: .dense)
                let matrices = try result.matrices()
                #expect(matrices.backend == Self.denseBackend(backend, T.self, power: power), "\(label)")
                // The noise does not depend on the backend.
                let scalar = try SoftSort(temperature: tau, power: power, backend: .scalar, perturbation: perturbation)
                    .forward(scores: s, batch: batch, count: n, path: .dense)
                #expect(result.scores == scalar.scores, "\(label)")
                let perturbed = result.scores.map { Double($0) }
                let rows = batch * samples
                let p = Reference.softSort(scores: perturbed, batch: rows, count: n, temperature: t, power: power)
                #expect(maxAbsDifference(matrices.values.map { Double($0) }, p) <= 4 * unit * Double(2 * n + 16),
                        "\(label)")
                var random = TestRandom(seed: 501)
                let w = (0..<rows * n * n).map { _ in random.uniform() }
                let perSample = Reference.softSortBackward(
                    scores: perturbed, batch: rows, count: n, temperature: t, power: power, gradient: w)
                var expected = [Double](repeating: 0, count: batch * n)
                for b in 0..<batch {
                    for m in 0..<samples {
                        for j in 0..<n { expected[b * n + j] += perSample[(b * samples + m) * n + j] }
                    }
                }
                let gradient = try matrices.backward(w.map { T($0) }).map { Double($0) }
                let scale = max(maxAbs(expected), 1) * Double(n * samples) / tau
                #expect(maxAbsDifference(gradient, expected) <= gradientTolerance * scale, "\(label)")
            }
        }
    }

    @Test("a Gumbel perturbation, Double, against the reference on its perturbed scores", arguments: Backend.available)
    func stochasticDouble(backend: Backend) throws {
        try Self.checkStochastic(Double.self, backend: backend, unit: 0x1p-53, gradientTolerance: 1e-14)
    }

    @Test("a Gumbel perturbation, Float, against the Double reference on its perturbed scores", arguments: Backend.available)
    func stochasticFloat(backend: Backend) throws {
        try Self.checkStochastic(Float.self, backend: backend, unit: 0x1p-24, gradientTolerance: 2e-6)
    }
}
