import Foundation
import SoftSortKit

/// The output comparisons behind `simd-bench verify` beyond the dense rows
/// of `Conformance`: the relaxed sorted values `P s` and ranks `P^T r`
/// (`r_i = i + 1`) on every path that computes them, against the same
/// reference cases. `P s` is the case's `Ps`; `P^T r` is formed from its `P`.
///
/// The cells: SoftSort's `sortedValues()` on `fused` (dense is `Conformance`'s
/// `Ps`) and `ranks()` on `dense`, both on `exact` for `p = 1` and on `gauss`
/// for `p = 2`; NeuralSort's `ranks()` on `dense` (its fused path has the
/// cross-entropy only). Double is held to `Tolerance.double`, Float (against
/// the same path in Double on the Float-rounded inputs) to `Tolerance.float`.
enum OutputConformance {
    enum Output: String, CaseIterable {
        case sortedValues, ranks

        /// The output's key in `Tolerance` and in the printed line.
        var key: String { self == .sortedValues ? "Ps" : "ranks" }
    }

    struct Check {
        var name: String
        var op: Conformance.Operator
        var output: Output
        var path: SoftSortPath
        var backend: Backend
        var precision: Conformance.Precision
        var maxAbsError: Double
        var bound: Double
        var pass: Bool

        var line: String {
            "\(pass ? "PASS" : "FAIL")  \(name.padding(toLength: 40, withPad: " ", startingAt: 0)) "
                + "\(op.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) "
                + "\(output.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) "
                + "\(path.description.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                + "\(precision.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                + "\(backend.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  "
                + "\(output.key) \(String(format: "%.1e", maxAbsError))/\(String(format: "%.0e", bound))"
        }

        /// Its entry in verify's JSON `cases` list.
        var object: [String: Any] {
            [
                "name": name, "operator": op.rawValue, "output": output.rawValue, "path": path.description,
                "backend": backend.rawValue, "precision": precision.rawValue,
                "maxAbsError": [output.key: maxAbsError.isFinite ? maxAbsError : "\(maxAbsError)" as Any],
                "pass": pass,
            ]
        }
    }

    /// The (output, path) cells of one operator at distance power `power`.
    static func cells(_ op: Conformance.Operator, power: Double) -> [(Output, SoftSortPath)] {
        guard op == .softsort else { return [(.ranks, .dense)] }
        var cells: [(Output, SoftSortPath)] = [(.sortedValues, .fused), (.ranks, .dense)]
        let scan: SoftSortPath? = power == 1 ? .exact : power == 2 ? .gauss : nil
        if let scan { cells += [(.sortedValues, scan), (.ranks, scan)] }
        return cells
    }

    /// One output of the library in `T` on `path`, in Double.
    static func run<T: SoftSortScalar>(
        _ op: Conformance.Operator, _ output: Output, _ path: SoftSortPath, scores: [T], batch: Int, count: Int,
        temperature: Double, power: Double, backend: Backend
    ) throws -> [Double] {
        let result = try Conformance.forward(
            op, scores: scores, batch: batch, count: count, temperature: temperature, power: power, backend: backend,
            path: path)
        let values = output == .sortedValues ? try result.sortedValues() : try result.ranks()
        return values.values.map(Double.init)
    }

    /// `P^T r` of `batch x count x count` matrices, `r_i = i + 1`.
    static func ranks(of matrices: [Double], batch: Int, count n: Int) -> [Double] {
        var ranks = [Double](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for i in 0..<n {
                for j in 0..<n { ranks[b * n + j] += matrices[(b * n + i) * n + j] * Double(i + 1) }
            }
        }
        return ranks
    }

    /// Every cell of one case: both operators, every backend, both precisions.
    static func checks(_ golden: GoldenCase) throws -> [Check] {
        let scores = golden.inputs.s.flatMap { $0 }, rounded = scores.map { Float($0) }
        let batch = golden.B, n = golden.n, tau = golden.tau, power = try golden.power()
        let weights = golden.inputs.W.flatMap { $0.flatMap { $0 } }
        var checks: [Check] = []
        for op in Conformance.Operator.allCases {
            let section = op == .softsort ? golden.softsort : golden.neuralsort
            let matrices = section.P.flatMap { $0.flatMap { $0 } }
            let expected: [Output: [Double]] = [
                .sortedValues: section.Ps.flatMap { $0 }, .ranks: ranks(of: matrices, batch: batch, count: n),
            ]
            let doubleBound = Tolerance(
                matrices: matrices, scores: scores, weights: weights,
                permutation: try argsort(scores, batch: batch, count: n), batch: batch, count: n, temperature: tau,
                power: power, neuralSort: op == .neuralsort).double
            for backend in Backend.available {
                // The Float bound comes from the Double P of the rounded inputs.
                let roundedMatrices = try Conformance.forward(
                    op, scores: rounded.map(Double.init), batch: batch, count: n, temperature: tau, power: power,
                    backend: backend, path: .dense
                ).matrices().values
                let floatBound = Tolerance(
                    matrices: roundedMatrices, scores: rounded.map(Double.init),
                    weights: weights.map { Double(Float($0)) }, permutation: try argsort(rounded, batch: batch, count: n),
                    batch: batch, count: n, temperature: tau, power: power, neuralSort: op == .neuralsort).float
                for (output, path) in cells(op, power: power) {
                    let double = try run(
                        op, output, path, scores: scores, batch: batch, count: n, temperature: tau, power: power,
                        backend: backend)
                    checks.append(check(
                        golden.name, op, output, path, backend, .double, double, expected[output]!,
                        doubleBound[output.key]!))
                    let reference = try run(
                        op, output, path, scores: rounded.map(Double.init), batch: batch, count: n, temperature: tau,
                        power: power, backend: backend)
                    let float = try run(
                        op, output, path, scores: rounded, batch: batch, count: n, temperature: tau, power: power,
                        backend: backend)
                    checks.append(check(
                        golden.name, op, output, path, backend, .float, float, reference, floatBound[output.key]!))
                }
            }
        }
        return checks
    }

    static func check(
        _ name: String, _ op: Conformance.Operator, _ output: Output, _ path: SoftSortPath, _ backend: Backend,
        _ precision: Conformance.Precision, _ actual: [Double], _ expected: [Double], _ bound: Double
    ) -> Check {
        let error = Conformance.maxAbsDifference(actual, expected)
        return Check(
            name: name, op: op, output: output, path: path, backend: backend, precision: precision,
            maxAbsError: error, bound: bound, pass: error <= bound)
    }
}
