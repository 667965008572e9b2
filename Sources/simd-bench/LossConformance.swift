import Foundation
import SoftSortKit

/// The loss-case comparisons behind `simd-bench verify` (`DIR/loss/*.json`):
/// the cross-entropy `L` and `dL/ds` of SoftSort and NeuralSort on every
/// path that applies (`dense`, `fused`, `exact` for SoftSort with `p = 1`,
/// `gauss` for SoftSort with `p = 2`).
enum LossConformance {
    enum Operator: String, CaseIterable {
        case softsort = "softsort-loss"
        case neuralsort = "neuralsort-loss"
    }

    struct Check {
        var name: String
        var op: Operator
        var path: SoftSortPath
        var backend: Backend
        var precision: Conformance.Precision
        var maxAbsError: [String: Double]
        var bound: [String: Double]
        var pass: Bool

        var line: String {
            let fields = ["L", "grad"].map { key -> String in
                guard let e = maxAbsError[key] else { return "\(key) skipped" }
                return "\(key) \(String(format: "%.1e", e))/\(String(format: "%.0e", bound[key]!))"
            }
            return "\(pass ? "PASS" : "FAIL")  \(name.padding(toLength: 40, withPad: " ", startingAt: 0)) "
                + "\(op.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) "
                + "\(path.description.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                + "\(precision.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                + "\(backend.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  "
                + fields.joined(separator: "  ")
        }

        /// Its entry in verify's JSON `cases` list.
        var object: [String: Any] {
            func number(_ x: Double) -> Any { x.isFinite ? x : "\(x)" }
            return [
                "name": name, "operator": op.rawValue, "path": path.description, "backend": backend.rawValue,
                "precision": precision.rawValue, "maxAbsError": maxAbsError.mapValues(number), "pass": pass,
            ]
        }
    }

    /// The paths each operator has on a case.
    static func paths(_ op: Operator, power: Double) -> [SoftSortPath] {
        guard op == .softsort else { return [.dense, .fused] }
        switch power {
        case 1: return [.dense, .fused, .exact]
        case 2: return [.dense, .fused, .gauss]
        default: return [.dense, .fused]
        }
    }

    /// `L` and `dL/ds` of the library in `T`, in Double.
    static func run<T: SoftSortScalar>(
        _ op: Operator, _ path: SoftSortPath, scores: [T], targets: [Int], batch: Int, count: Int,
        temperature: Double, power: Double, backend: Backend
    ) throws -> (L: Double, grad: [Double]) {
        let loss: Loss<T>
        switch op {
        case .softsort:
            loss = try SoftSort(temperature: temperature, power: power, backend: backend)
                .forward(scores: scores, batch: batch, count: count, path: path).crossEntropy(targets: targets)
        case .neuralsort:
            loss = try NeuralSort(temperature: temperature, backend: backend)
                .forward(scores: scores, batch: batch, count: count, path: path).crossEntropy(targets: targets)
        }
        return (Double(loss.value), loss.gradient.map(Double.init))
    }

    /// Every check of one case: both operators (NeuralSort where the case has
    /// it), every path, every backend, both precisions.
    static func checks(_ golden: GoldenLossCase) throws -> [Check] {
        let scores = golden.inputs.s.flatMap { $0 }, targets = golden.inputs.targets.flatMap { $0 }
        let rounded = scores.map { Float($0) }
        let power = try golden.power()
        var checks: [Check] = []
        for op in Operator.allCases {
            let section = op == .softsort ? golden.softsort : golden.neuralsort
            guard let section else { continue }
            let distance: Double? = op == .softsort ? power : nil
            var doubleBound = LossTolerance(
                scores: scores, targets: targets, batch: golden.B, count: golden.n, temperature: golden.tau,
                power: distance).double
            let floatBound = LossTolerance(
                scores: rounded.map(Double.init), targets: targets, batch: golden.B, count: golden.n,
                temperature: golden.tau, power: distance).float
            let compareGradient = golden.kind != "ties"
            if !compareGradient { doubleBound["grad"] = nil }
            let expected = (L: section.L, grad: section.grad.flatMap { $0 })
            for path in paths(op, power: power) {
                for backend in Backend.available {
                    let double = try run(
                        op, path, scores: scores, targets: targets, batch: golden.B, count: golden.n,
                        temperature: golden.tau, power: power, backend: backend)
                    checks.append(check(golden.name, op, path, backend, .double, double, expected, doubleBound))
                    // Float against the library's own Double path on the rounded inputs.
                    let reference = try run(
                        op, path, scores: rounded.map(Double.init), targets: targets, batch: golden.B,
                        count: golden.n, temperature: golden.tau, power: power, backend: backend)
                    let float = try run(
                        op, path, scores: rounded, targets: targets, batch: golden.B, count: golden.n,
                        temperature: golden.tau, power: power, backend: backend)
                    checks.append(check(golden.name, op, path, backend, .float, float, reference, floatBound))
                }
            }
        }
        return checks
    }

    static func check(
        _ name: String, _ op: Operator, _ path: SoftSortPath, _ backend: Backend, _ precision: Conformance.Precision,
        _ actual: (L: Double, grad: [Double]), _ expected: (L: Double, grad: [Double]), _ bound: [String: Double]
    ) -> Check {
        var errors: [String: Double] = ["L": abs(actual.L - expected.L)]
        if errors["L"]!.isNaN { errors["L"] = .infinity }
        if bound["grad"] != nil { errors["grad"] = Conformance.maxAbsDifference(actual.grad, expected.grad) }
        let pass = errors.allSatisfy { key, e in e <= bound[key]! }
        return Check(
            name: name, op: op, path: path, backend: backend, precision: precision, maxAbsError: errors,
            bound: bound, pass: pass)
    }
}
