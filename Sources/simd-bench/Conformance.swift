import Foundation
import SoftSortKit

/// The comparisons behind `simd-bench verify`.
enum Conformance {
    enum Operator: String, CaseIterable { case softsort, neuralsort }
    enum Precision: String, CaseIterable { case double, float }

    /// The outputs compared: `P`, `P s`, `L = sum P W` and `dL/ds`.
    struct Outputs {
        var P: [Double]
        var Ps: [Double]
        var L: Double
        var grad: [Double]
    }

    struct Check {
        var name: String
        var op: Operator
        var backend: Backend
        var precision: Precision
        /// max |a - b| per output.
        var maxAbsError: [String: Double]
        /// The tolerance each output was held to, as a max |a - b|.
        var bound: [String: Double]
        var pass: Bool

        var line: String {
            let fields = ["P", "Ps", "L", "grad"].map { key -> String in
                guard let e = maxAbsError[key] else { return "\(key) skipped" }
                return "\(key) \(String(format: "%.1e", e))/\(String(format: "%.0e", bound[key]!))"
            }
            let padded = name.padding(toLength: 40, withPad: " ", startingAt: 0)
            return "\(pass ? "PASS" : "FAIL")  \(padded) \(op.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) "
                + "\(precision.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                + "\(backend.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  "
                + fields.joined(separator: "  ")
        }
    }

    /// Runs the library on one case in `T` and returns its outputs in Double.
    static func run<T: SoftSortScalar>(
        _ op: Operator, scores: [T], weights: [T], batch: Int, count: Int, temperature: Double,
        power: Double, backend: Backend
    ) throws -> Outputs {
        let result = try forward(
            op, scores: scores, batch: batch, count: count, temperature: temperature, power: power, backend: backend,
            path: .dense)
        let matrices = try result.matrices()
        var loss = 0.0
        for (p, w) in zip(matrices.values, weights) { loss += Double(p) * Double(w) }
        return Outputs(
            P: matrices.values.map(Double.init), Ps: try result.sortedValues().values.map(Double.init), L: loss,
            grad: try matrices.backward(weights).map(Double.init))
    }

    /// The checked forward of one operator on `path`.
    static func forward<T: SoftSortScalar>(
        _ op: Operator, scores: [T], batch: Int, count: Int, temperature: Double, power: Double, backend: Backend,
        path: SoftSortPath
    ) throws -> RelaxedPermutation<T> {
        switch op {
        case .softsort:
            return try SoftSort(temperature: temperature, power: power, backend: backend)
                .forward(scores: scores, batch: batch, count: count, path: path)
        case .neuralsort:
            return try NeuralSort(temperature: temperature, backend: backend)
                .forward(scores: scores, batch: batch, count: count, path: path)
        }
    }

    static func check(_ golden: GoldenCase, _ op: Operator, _ precision: Precision, _ backend: Backend) throws -> Check {
        let scores = golden.inputs.s.flatMap { $0 }
        let weights = golden.inputs.W.flatMap { $0.flatMap { $0 } }
        let power = try golden.power()
        let expected: Outputs
        let actual: Outputs
        var bound: [String: Double]
        switch precision {
        case .double:
            let section = op == .softsort ? golden.softsort : golden.neuralsort
            expected = Outputs(
                P: section.P.flatMap { $0.flatMap { $0 } }, Ps: section.Ps.flatMap { $0 }, L: section.L,
                grad: section.grad.flatMap { $0 })
            actual = try run(op, scores: scores, weights: weights, batch: golden.B, count: golden.n,
                             temperature: golden.tau, power: power, backend: backend)
            bound = Tolerance(
                matrices: expected.P, scores: scores, weights: weights,
                permutation: try argsort(scores, batch: golden.B, count: golden.n),
                batch: golden.B, count: golden.n, temperature: golden.tau, power: power,
                neuralSort: op == .neuralsort).double
            if golden.kind == "ties" { bound["grad"] = nil }
        case .float:
            let roundedScores = scores.map { Float($0) }, roundedWeights = weights.map { Float($0) }
            expected = try run(op, scores: roundedScores.map(Double.init), weights: roundedWeights.map(Double.init),
                               batch: golden.B, count: golden.n, temperature: golden.tau, power: power,
                               backend: backend)
            actual = try run(op, scores: roundedScores, weights: roundedWeights, batch: golden.B, count: golden.n,
                             temperature: golden.tau, power: power, backend: backend)
            bound = Tolerance(
                matrices: expected.P, scores: roundedScores.map(Double.init),
                weights: roundedWeights.map(Double.init),
                permutation: try argsort(roundedScores, batch: golden.B, count: golden.n),
                batch: golden.B, count: golden.n, temperature: golden.tau, power: power,
                neuralSort: op == .neuralsort).float
        }
        var errors: [String: Double] = [:]
        errors["P"] = maxAbsDifference(actual.P, expected.P)
        errors["Ps"] = maxAbsDifference(actual.Ps, expected.Ps)
        errors["L"] = abs(actual.L - expected.L)
        if bound["grad"] != nil { errors["grad"] = maxAbsDifference(actual.grad, expected.grad) }
        let pass = errors.allSatisfy { key, e in e <= bound[key]! }
        return Check(name: golden.name, op: op, backend: backend, precision: precision,
                     maxAbsError: errors, bound: bound, pass: pass)
    }

    static func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        var m = 0.0
        for (x, y) in zip(a, b) {
            let d = abs(x - y)
            if !(d <= m) { m = d.isNaN ? .infinity : d }
        }
        return m
    }

    /// The `cases` list (`extra`: further entries, the loss checks) and the failure count.
    static func json(_ checks: [Check], extra: [[String: Any]] = [], failed: Int) -> String {
        func number(_ x: Double) -> Any { x.isFinite ? x : "\(x)" }
        let cases: [[String: Any]] = checks.map { c in
            [
                "name": c.name, "operator": c.op.rawValue, "backend": c.backend.rawValue,
                "precision": c.precision.rawValue,
                "maxAbsError": c.maxAbsError.mapValues(number),
                "pass": c.pass,
            ]
        }
        let object: [String: Any] = ["cases": cases + extra, "failed": failed]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
