import Foundation
import Testing
@testable import SoftSortKit

/// `SOFTSORT_BACKEND` is honoured. `Backend.preferred()` reads the variable
/// once per process, so the variable is tested in child processes: the
/// package's own `simd-bench`, built next to this test binary by
/// `swift build --build-tests` and `swift test`, whose `quick` command starts
/// with `Backend.preferred()` and prints it on its first line
/// ("simd-bench quick: Float, B = 1, backend <name>, ..."), or fails with
/// the error it threw.
@Suite("SOFTSORT_BACKEND")
struct BackendSelectionTests {
    /// `simd-bench` next to the running test binary, if it was built.
    static let simdBench: String? = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let path = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("simd-bench").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    struct Outcome {
        let status: Int32
        let output: String
        let error: String
        var firstLine: String { output.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "" }
    }

    /// Runs `simd-bench quick` on the smallest problem with `SOFTSORT_BACKEND`
    /// set to `value` (`nil`: removed from the environment).
    static func quick(backend value: String?) throws -> Outcome {
        try quick(environment: ["SOFTSORT_BACKEND": value])
    }

    /// Runs `simd-bench quick` on the smallest problem with these variables
    /// set (`nil`: removed from the environment).
    static func quick(environment changes: [String: String?]) throws -> Outcome {
        let bench = try #require(Self.simdBench, "simd-bench is not built next to the test binary: run swift build --build-tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bench)
        process.arguments = ["quick", "--n", "1", "--batch", "1", "--repetitions", "1"]
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // The output is a few lines: it fits in the pipes until the child exits.
        process.waitUntilExit()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Outcome(status: process.terminationStatus, output: out, error: err)
    }

    @Test("each available backend named in SOFTSORT_BACKEND is the one chosen", arguments: Backend.available)
    func namedBackendIsChosen(backend: Backend) throws {
        let outcome = try Self.quick(backend: backend.rawValue)
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        #expect(outcome.firstLine.contains("backend \(backend.rawValue),"), "first line: \(outcome.firstLine)")
    }

    @Test("unset or empty, the best available backend is chosen")
    func unsetGivesBest() throws {
        let best = try #require(Backend.available.last)
        for value in [nil, ""] as [String?] {
            let outcome = try Self.quick(backend: value)
            #expect(outcome.status == 0, "\(String(describing: value)): stderr \(outcome.error)")
            #expect(outcome.firstLine.contains("backend \(best.rawValue),"), "first line: \(outcome.firstLine)")
        }
    }

    @Test("an unknown name is SoftSortError.unknownBackend, never a fallback")
    func unknownNameFails() throws {
        // Names are exact: no case folding, no trimming.
        for name in ["bogus", "AVX2", "simd "] {
            let outcome = try Self.quick(backend: name)
            #expect(outcome.status != 0, "\(name): the run must fail; stdout \(outcome.output)")
            #expect(!outcome.output.contains("backend "), "\(name): nothing may run; stdout \(outcome.output)")
            let expected = SoftSortError.unknownBackend(name).description
            #expect(outcome.error.contains(expected), "\(name): stderr \(outcome.error)")
        }
    }

    @Test("a backend that cannot run here is SoftSortError.backendUnavailable",
          .enabled(if: Backend.available.count < Backend.allCases.count, "every backend runs on this CPU"))
    func unavailableNameFails() throws {
        for backend in Backend.allCases where !backend.isAvailable {
            let outcome = try Self.quick(backend: backend.rawValue)
            #expect(outcome.status != 0)
            #expect(outcome.error.contains(SoftSortError.backendUnavailable(backend.rawValue).description),
                    "stderr: \(outcome.error)")
        }
    }

    @Test("in this process, Backend.preferred() follows this process's SOFTSORT_BACKEND")
    func thisProcess() throws {
        let value = ProcessInfo.processInfo.environment["SOFTSORT_BACKEND"] ?? ""
        if value.isEmpty {
            #expect(try Backend.preferred() == Backend.available.last)
        } else if let backend = Backend(rawValue: value) {
            if backend.isAvailable {
                #expect(try Backend.preferred() == backend)
            } else {
                #expect(throws: SoftSortError.backendUnavailable(value)) { try Backend.preferred() }
            }
        } else {
            #expect(throws: SoftSortError.unknownBackend(value)) { try Backend.preferred() }
        }
    }
}
