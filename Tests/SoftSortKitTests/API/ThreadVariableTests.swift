import Foundation
import Testing
@testable import SoftSortKit

/// `SOFTSORT_THREADS` is read once per process, so, as for
/// `SOFTSORT_BACKEND`, it is tested in child processes of `simd-bench quick`,
/// whose operators run with `threads: nil`.
@Suite("SOFTSORT_THREADS")
struct ThreadVariableTests {
    /// Runs `simd-bench quick` on the smallest problem with `SOFTSORT_THREADS` set to `value`.
    static func quick(threads value: String) throws -> BackendSelectionTests.Outcome {
        try BackendSelectionTests.quick(environment: ["SOFTSORT_THREADS": value, "SOFTSORT_BACKEND": nil])
    }

    @Test("a value that is no thread count is an error naming the variable, never ignored",
          arguments: ["abc", "0", "-2", "4097", " 3", "1.5"])
    func badValueFails(value: String) throws {
        let outcome = try Self.quick(threads: value)
        #expect(outcome.status != 0, "\(value): the run must fail; stdout \(outcome.output)")
        let expected = SoftSortError.invalidThreadCountVariable(value).description
        #expect(expected.contains("SOFTSORT_THREADS = '\(value)'"))
        #expect(outcome.error.contains(expected), "\(value): stderr \(outcome.error)")
    }

    @Test("a thread count in 1...maximumThreadCount is the default thread count", arguments: ["1", "3", "7"])
    func goodValueIsUsed(value: String) throws {
        let outcome = try Self.quick(threads: value)
        #expect(outcome.status == 0, "\(value): stderr \(outcome.error)")
        #expect(outcome.firstLine.contains("threads \(value),"), "first line: \(outcome.firstLine)")
    }

    @Test("an operator's threads: above maximumThreadCount is invalidThreadCount")
    func operatorAboveMaximum() {
        let scores: [Float] = [1, 2]
        for threads in [0, -1, Parallelism.maximumThreadCount + 1] {
            #expect(throws: SoftSortError.invalidThreadCount(threads)) {
                try SoftSort(threads: threads).forward(scores: scores, batch: 1, count: 2)
            }
        }
        #expect(SoftSortError.invalidThreadCount(5000).description == "threads must be in 1...4096, got 5000")
    }
}
