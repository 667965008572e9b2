import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench verify`: every reference case, both operators, every backend,
/// both precisions.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every backend against the reference cases (PyTorch, float64).",
        discussion: """
            Double: the library's Double path against the case, normwise relative \
            error max|a - b| / max|b| <= 1e-9 on P, Ps, L and grad (grad skipped \
            for cases of kind 'ties'). Float: the Float path against the library's \
            own Double path on the Float-rounded inputs, with the tolerances in \
            Tolerance.swift. The loss cases (DIR/loss/*.json) check L and dL/ds of \
            softsort-loss and neuralsort-loss on every path (dense, fused, and exact for p = 1) \
            with the same rules (LossTolerance.swift); their JSON entries carry a "path". The relaxed \
            sorted values P s and ranks P^T r (formed from the case's P) are checked on every other path \
            that computes them (OutputConformance.swift: fused, and exact for p = 1, gauss for p = 2); \
            their JSON entries carry an "output" and a "path". Exits 1 when any check fails. By default \
            the small set in data/golden (run from the repository root); pass the full set with --cases.
            """)

    @Option(help: "The folder of case files (default: data/golden, relative to the working directory).")
    var cases: String?

    @Flag(help: "Print one JSON object instead of a line per check.")
    var json = false

    func run() throws {
        let directory = cases ?? "data/golden"   // the subset data/golden/README.md lists
        guard FileManager.default.fileExists(atPath: directory) else {
            throw ValidationError(
                "case folder \(directory) does not exist; run from the repository root or pass --cases DIR")
        }
        let goldens = try GoldenCase.load(directory: directory)
        var checks: [Conformance.Check] = []
        for golden in goldens {
            for backend in Backend.available {
                for op in Conformance.Operator.allCases {
                    for precision in Conformance.Precision.allCases {
                        let check = try Conformance.check(golden, op, precision, backend)
                        checks.append(check)
                        if !json { print(check.line) }
                    }
                }
            }
        }
        var outputChecks: [OutputConformance.Check] = []
        for golden in goldens {
            for check in try OutputConformance.checks(golden) {
                outputChecks.append(check)
                if !json { print(check.line) }
            }
        }
        var lossChecks: [LossConformance.Check] = []
        for golden in try GoldenLossCase.load(directory: directory + "/loss") {
            for check in try LossConformance.checks(golden) {
                lossChecks.append(check)
                if !json { print(check.line) }
            }
        }
        let failed = checks.filter { !$0.pass }.count + lossChecks.filter { !$0.pass }.count
            + outputChecks.filter { !$0.pass }.count
        let total = checks.count + lossChecks.count + outputChecks.count
        if json {
            print(Conformance.json(checks, extra: lossChecks.map(\.object) + outputChecks.map(\.object), failed: failed))
        } else {
            print("\(total - failed) passed, \(failed) failed")
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
