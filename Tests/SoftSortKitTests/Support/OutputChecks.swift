import Testing
@testable import SoftSortKit

/// One path's outputs of a `RelaxedPermutation` against the `Double`
/// references of `ProductReference.swift`, forward and backward, on tie-free
/// scores; and the same backwards against central finite differences of the
/// path's own forward, in `Double`.
///
/// Tolerances (`Tolerance`): an output, a matrix entry or a loss within
/// `values * max(1, max |expected|)`; `dL/ds` within
/// `scores * max(1, max |expected|) * n / min(tau, 1)` (each entry sums `n`
/// terms, each through a logit divided by `tau`); `dL/dV` within
/// `values * n * max(1, max |expected|)`.
enum OutputChecks {
    /// The outputs a check can run, by the method that computes them.
    enum Output: String, CaseIterable, Sendable {
        case matrices, apply, applyTransposed, topK, quantiles, sortedValues, ranks, nearestNeighbors
    }

    struct Tolerance: Sendable {
        let values: Double
        let scores: Double

        /// The dense kernels' (as `ApplyTests`): `Double` `1e-13`; `Float`
        /// `u = 2^-24 (4 n + 32)` (a logit is off by about `u (6 |z| + 2 n + 8)`,
        /// `P |z| <= 1/e`), `4 u` for `dL/ds`.
        static func rows<T: SoftSortScalar>(_: T.Type, count n: Int) -> Tolerance {
            if T.self == Double.self { return Tolerance(values: 1e-13, scores: 1e-13) }
            let u = 0x1p-24 * Double(4 * n + 32)
            return Tolerance(values: u, scores: 4 * u)
        }

        /// NeuralSort's: its logits reach `2 n max|s| / tau` before they cancel
        /// in the softmax (`ReferenceTests`), so the rows' tolerances times
        /// `1 + 2 n / tau`, and `n` more for `dL/ds` (the column sums' backward).
        static func neuralSort<T: SoftSortScalar>(_: T.Type, count n: Int, temperature tau: Double) -> Tolerance {
            let base = rows(T.self, count: n), logits = 1 + 2 * Double(n) / tau
            return Tolerance(values: base.values * logits, scores: base.scores * logits * Double(max(n, 1)))
        }

        /// The gauss path's: its transforms are within `1e-13` per unit
        /// weight; `Double` `1e-9`, `Float` `1e-6` (as `GaussOutputsTests`).
        static func gauss<T: SoftSortScalar>(_: T.Type) -> Tolerance {
            T.self == Double.self ? Tolerance(values: 1e-9, scores: 1e-9) : Tolerance(values: 1e-6, scores: 1e-6)
        }
    }

    /// Tie-free rows in `[-1, 1)`, values and upstream gradients in `[-1, 1)`, rounded to `T`.
    struct Inputs<T: SoftSortScalar> {
        let scores: [T], values: [T], rowGradient: [T], matrixGradient: [T], matches: [T]

        init(batch: Int, count n: Int, dimension d: Int, seed: UInt64) {
            var random = TestRandom(seed: seed)
            scores = (0..<batch).flatMap { _ in random.distinct(n, spread: 2).map { T($0 - 1) } }
            values = (0..<batch * n * d).map { _ in T(random.uniform()) }
            rowGradient = (0..<batch * n).map { _ in T(random.uniform()) }
            matrixGradient = (0..<batch * n * n).map { _ in T(random.uniform()) }
            matches = (0..<batch * n).map { T(($0 * 7) % 3 == 0 ? 1 : 0) }
        }
    }

    /// `count` upstream values in `[-0.5, 0.5)`, for outputs of any row count.
    static func upstream<T: SoftSortScalar>(_ count: Int) -> [T] {
        (0..<count).map { T(Double(($0 * 37) % 11) / 11 - 0.5) }
    }

    static let dimension = 2
    /// Quantile levels: both ends, the middle, and one between rows.
    static let levels = [0, 0.5, 1, 0.3]
    static func topK(count n: Int) -> Int { (n + 1) / 2 }
    static func neighbours(count n: Int) -> Int { max(1, (n + 1) / 2) }

    /// Runs `outputs` of `forward(scores)` and checks each (values, `dL/ds`,
    /// `dL/dV`, the path it reports) against `reference` with `temperature`
    /// and `direction` (exact in `T`: the reference uses them as given).
    static func check<T: SoftSortScalar>(
        _: T.Type, outputs: [Output], path: SoftSortPath, reference op: ReferenceOperator, temperature tau: Double,
        direction: SortDirection = .descending, batch: Int, count n: Int, seed: UInt64, tolerance: Tolerance,
        label: String, forward: (_ scores: [T], _ batch: Int, _ count: Int) throws -> RelaxedPermutation<T>
    ) throws {
        let d = dimension, input = Inputs<T>(batch: batch, count: n, dimension: d, seed: seed)
        let s = input.scores.map { Double($0) }, v = input.values.map { Double($0) }
        let g1 = input.rowGradient.map { Double($0) }
        let result = try forward(input.scores, batch, n)
        func product(_ values: [Double], _ gradient: [Double], dimension: Int, transposed: Bool) -> Reference.Product {
            Reference.product(
                op, scores: s, values: values, gradient: gradient, batch: batch, count: n, dimension: dimension,
                temperature: tau, direction: direction, transposed: transposed)
        }
        func expectClose<A: BinaryFloatingPoint>(_ got: [A], _ expected: [Double], scale: Double, _ what: String) {
            let error = maxAbsDifference(got.map { Double($0) }, expected), bound = scale * max(1, maxAbs(expected))
            #expect(error <= bound, "\(label) \(what): error \(error) > \(bound)")
        }
        let scoreScale = tolerance.scores * Double(max(n, 1)) / min(tau, 1)
        let valueScale = tolerance.values * Double(max(n, 1))
        /// A product output against the reference with the full upstream gradient `full`.
        func checkProduct(
            _ got: RelaxedProduct<T>, _ name: String, selection: [Int]?, transposed: Bool
        ) throws {
            #expect(got.path == path, "\(label) \(name): ran on \(got.path)")
            let rows = selection?.count ?? n
            #expect(got.rows == rows && got.dimension == d && got.values.count == batch * rows * d, "\(label) \(name)")
            let upstream: [T] = Self.upstream(batch * rows * d)
            let full = selection.map {
                Reference.expandRows($0, upstream.map { Double($0) }, batch: batch, rows: n, dimension: d)
            } ?? upstream.map { Double($0) }
            let expected = product(v, full, dimension: d, transposed: transposed)
            let values = selection.map { Reference.selectRows($0, of: expected.values, batch: batch, rows: n, dimension: d) }
                ?? expected.values
            expectClose(got.values, values, scale: tolerance.values, "\(name) values")
            let gradient = try got.backward(upstream)
            expectClose(gradient.scores, expected.scores, scale: scoreScale, "\(name) dL/ds")
            expectClose(gradient.values, expected.valueGradient, scale: valueScale, "\(name) dL/dV")
        }
        for output in outputs {
            switch output {
            case .matrices:
                let matrices = try result.matrices()
                #expect(matrices.path == path && matrices.mode == .soft, "\(label) matrices: ran on \(matrices.path)")
                let p = op.matrices(s, batch: batch, count: n, temperature: tau, direction: direction)
                expectClose(matrices.values, p, scale: tolerance.values, "P")
                let w = input.matrixGradient
                let expected = op.backward(
                    s, batch: batch, count: n, temperature: tau, direction: direction, gradient: w.map { Double($0) })
                expectClose(try matrices.backward(w), expected, scale: scoreScale, "P dL/ds")
            case .apply:
                try checkProduct(try result.apply(to: input.values, dimension: d), "P V", selection: nil, transposed: false)
            case .applyTransposed:
                try checkProduct(
                    try result.applyTransposed(to: input.values, dimension: d), "P^T U", selection: nil, transposed: true)
            case .topK:
                let k = topK(count: n)
                try checkProduct(
                    try result.topK(k, of: input.values, dimension: d), "top-\(k)", selection: Array(0..<k), transposed: false)
            case .quantiles:
                guard n > 0 else { continue }
                try checkProduct(
                    try result.quantiles(levels, of: input.values, dimension: d), "quantiles",
                    selection: Reference.quantileRows(levels, count: n), transposed: false)
            case .sortedValues:
                let sorted = try result.sortedValues()
                #expect(sorted.path == path && sorted.batch == batch && sorted.count == n, "\(label) P s: ran on \(sorted.path)")
                let expected = product(s, g1, dimension: 1, transposed: false)
                expectClose(sorted.values, expected.values, scale: tolerance.values, "P s")
                // Through P and through s itself (V = s).
                let through = zip(expected.scores, expected.valueGradient).map { $0 + $1 }
                expectClose(try sorted.backward(input.rowGradient), through, scale: scoreScale, "P s dL/ds")
            case .ranks:
                let ranks = try result.ranks()
                #expect(ranks.path == path, "\(label) ranks: ran on \(ranks.path)")
                let expected = product(Reference.rankValues(batch: batch, count: n), g1, dimension: 1, transposed: true)
                expectClose(ranks.values, expected.values, scale: tolerance.values, "ranks")
                expectClose(try ranks.backward(input.rowGradient), expected.scores, scale: scoreScale, "ranks dL/ds")
            case .nearestNeighbors:
                guard n > 0 else { continue }
                let k = neighbours(count: n)
                let loss = try result.nearestNeighborLoss(matches: input.matches, k: k)
                #expect(loss.path == path, "\(label) kNN: ran on \(loss.path)")
                let expected = Reference.nearestNeighbors(
                    op, scores: s, matches: input.matches.map { Double($0) }, k: k, batch: batch, count: n,
                    temperature: tau, direction: direction)
                expectClose([loss.value], [expected.loss], scale: tolerance.values, "kNN loss")
                expectClose(loss.gradient, expected.gradient, scale: scoreScale, "kNN dL/ds")
            }
        }
    }

    /// The backward of each of `outputs` against central finite differences
    /// (step `1e-6`) of `forward`'s own output, in `Double`, on tie-free
    /// scores (no sort changes within a step): `dL/ds` and, for the products,
    /// `dL/dV`, each within `1e-6 max(1, |numeric|)`.
    static func checkFiniteDifferences(
        outputs: [Output], batch: Int, count n: Int, seed: UInt64, label: String,
        forward: @escaping (_ scores: [Double], _ batch: Int, _ count: Int) throws -> RelaxedPermutation<Double>
    ) throws {
        let d = dimension, input = Inputs<Double>(batch: batch, count: n, dimension: d, seed: seed)
        let step = 1e-6
        func inner(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        func compare(_ analytic: [Double], _ loss: ([Double]) -> Double, at x: [Double], _ what: String) {
            let numeric = ReferenceTests.finiteDifference(x, step: step, loss)
            for (k, (a, e)) in zip(analytic, numeric).enumerated() {
                #expect(abs(a - e) <= 1e-6 * max(1, abs(e)), "\(label) \(what)[\(k)]: \(a) vs \(e)")
            }
        }
        let s = input.scores, v = input.values
        for output in outputs {
            /// `Y(s, V)`, the upstream gradient, and the backward at (s, V).
            let run: (_ s: [Double], _ v: [Double]) throws -> [Double]
            let upstream: [Double]
            let scoreGradient: [Double], valueGradient: [Double]?
            switch output {
            case .matrices:
                upstream = input.matrixGradient
                run = { s, _ in try forward(s, batch, n).matrices().values }
                scoreGradient = try forward(s, batch, n).matrices().backward(upstream)
                valueGradient = nil
            case .apply, .applyTransposed, .topK, .quantiles:
                if output == .quantiles && n == 0 { continue }
                let apply: (RelaxedPermutation<Double>, [Double]) throws -> RelaxedProduct<Double> = { result, v in
                    switch output {
                    case .apply: try result.apply(to: v, dimension: d)
                    case .applyTransposed: try result.applyTransposed(to: v, dimension: d)
                    case .topK: try result.topK(topK(count: n), of: v, dimension: d)
                    default: try result.quantiles(levels, of: v, dimension: d)
                    }
                }
                let product = try apply(forward(s, batch, n), v)
                upstream = Self.upstream(product.values.count)
                run = { s, v in try apply(forward(s, batch, n), v).values }
                let gradient = try product.backward(upstream)
                (scoreGradient, valueGradient) = (gradient.scores, gradient.values)
            case .sortedValues:
                upstream = input.rowGradient
                run = { s, _ in try forward(s, batch, n).sortedValues().values }
                scoreGradient = try forward(s, batch, n).sortedValues().backward(upstream)
                valueGradient = nil
            case .ranks:
                upstream = input.rowGradient
                run = { s, _ in try forward(s, batch, n).ranks().values }
                scoreGradient = try forward(s, batch, n).ranks().backward(upstream)
                valueGradient = nil
            case .nearestNeighbors:
                if n == 0 { continue }
                let k = neighbours(count: n)
                upstream = [1]
                run = { s, _ in [try forward(s, batch, n).nearestNeighborLoss(matches: input.matches, k: k).value] }
                scoreGradient = try forward(s, batch, n).nearestNeighborLoss(matches: input.matches, k: k).gradient
                valueGradient = nil
            }
            compare(scoreGradient, { inner(try! run($0, v), upstream) }, at: s, "\(output) dL/ds")
            if let valueGradient {
                compare(valueGradient, { inner(try! run(s, $0), upstream) }, at: v, "\(output) dL/dV")
            }
        }
    }
}
