import Testing
@testable import SoftSortKit

/// Every way to call SoftSortKit wrongly is a typed error that names it.
@Suite("Input validation")
struct ValidationTests {
    let scores: [Float] = [0.1, 0.4, -0.3, 2.0, 1.0, 0.0]

    @Test("temperature must be finite and positive", arguments: [0.0, -1.0, .infinity, .nan, -.infinity])
    func badTemperature(tau: Double) {
        #expect(throws: SoftSortError.self) { try SoftSort(temperature: tau).forward(scores: scores, batch: 2, count: 3) }
        #expect(throws: SoftSortError.self) { try NeuralSort(temperature: tau).forward(scores: scores, batch: 2, count: 3) }
        do {
            _ = try SoftSort(temperature: tau).forward(scores: scores, batch: 2, count: 3)
        } catch {
            guard case .invalidTemperature = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test("a temperature that underflows or whose reciprocal overflows in Float is rejected")
    func temperatureOutOfFloatRange() {
        #expect(throws: SoftSortError.invalidTemperature(1e-50)) {
            try SoftSort(temperature: 1e-50).forward(scores: scores, batch: 2, count: 3)
        }
        #expect(throws: SoftSortError.invalidTemperature(1e-39)) {
            try SoftSort(temperature: 1e-39).forward(scores: scores, batch: 2, count: 3)
        }
        #expect(throws: SoftSortError.invalidTemperature(1e50)) {
            try SoftSort(temperature: 1e50).forward(scores: scores, batch: 2, count: 3)
        }
        // The same temperatures are fine in Double.
        #expect(throws: Never.self) {
            try SoftSort(temperature: 1e-50).forward(scores: scores.map(Double.init), batch: 2, count: 3)
        }
    }

    @Test("power must be finite and positive", arguments: [0.0, -2.0, .infinity, .nan])
    func badPower(p: Double) {
        #expect(throws: SoftSortError.self) { try SoftSort(power: p).forward(scores: scores, batch: 2, count: 3) }
    }

    @Test("a non-finite score names its row and column", arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteScore(bad: Float) {
        var s = scores
        s[4] = bad
        #expect(throws: SoftSortError.nonFiniteScore(row: 1, column: 1)) {
            try SoftSort().forward(scores: s, batch: 2, count: 3)
        }
        #expect(throws: SoftSortError.nonFiniteScore(row: 1, column: 1)) {
            try NeuralSort().forward(scores: s, batch: 2, count: 3)
        }
        #expect(throws: SoftSortError.nonFiniteScore(row: 1, column: 1)) {
            try argsort(s, batch: 2, count: 3)
        }
    }

    @Test("sizes must match the shape")
    func sizeMismatch() throws {
        #expect(throws: SoftSortError.sizeMismatch(argument: "scores", expected: 8, actual: 6)) {
            try SoftSort().forward(scores: scores, batch: 2, count: 4)
        }
        let result = try SoftSort().forward(scores: scores, batch: 2, count: 3, path: .dense)
        let matrices = try result.matrices()
        #expect(throws: SoftSortError.sizeMismatch(argument: "gradient", expected: 18, actual: 17)) {
            try matrices.backward([Float](repeating: 0, count: 17))
        }
        #expect(throws: SoftSortError.sizeMismatch(argument: "gradient", expected: 6, actual: 5)) {
            try result.sortedValues().backward([Float](repeating: 0, count: 5))
        }
    }

    @Test("negative dimensions, B n and B n^2 overflow")
    func shapes() {
        #expect(throws: SoftSortError.invalidDimension(argument: "batch", value: -1)) {
            try SoftSort().forward(scores: [Float](), batch: -1, count: 3)
        }
        #expect(throws: SoftSortError.invalidDimension(argument: "count", value: -2)) {
            try SoftSort().forward(scores: [Float](), batch: 1, count: -2)
        }
        #expect(throws: SoftSortError.shapeOverflow(batch: 1 << 32, count: 1 << 31)) {
            try SoftSort().forward(scores: [Float](), batch: 1 << 32, count: 1 << 31, path: .dense)
        }
        // B n^2 overflows only past 2^32 scores, which a test cannot hold: the
        // footprint check the dense path's outputs run first, directly.
        #expect(throws: SoftSortError.shapeOverflow(batch: 4, count: 1 << 31)) {
            try Validation.footprint(BatchShape(batch: 4, count: 1 << 31), .matrices)
        }
        #expect(throws: SoftSortError.shapeOverflow(batch: 1, count: 1 << 32)) {
            try Validation.footprint(BatchShape(batch: 1, count: 1 << 32), .matrices)
        }
        #expect(throws: SoftSortError.shapeOverflow(batch: 1 << 31, count: 1 << 31)) {
            try Validation.footprint(BatchShape(batch: 1 << 31, count: 1 << 31), .matrices)
        }
        // The forward itself holds B n: the scores' size is what it reports.
        #expect(throws: SoftSortError.sizeMismatch(argument: "scores", expected: 4 << 31, actual: 0)) {
            try SoftSort().forward(scores: [Float](), batch: 4, count: 1 << 31, path: .dense)
        }
    }

    @Test("stochastic: samples >= 1 and positive scores when taking logs")
    func stochastic() {
        #expect(throws: SoftSortError.invalidSampleCount(0)) {
            try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: 0)).forward(scores: scores, batch: 2, count: 3)
        }
        #expect(throws: SoftSortError.nonPositiveScore(row: 0, column: 2)) {
            try SoftSort(perturbation: GumbelPerturbation(scoreKind: .positive)).forward(scores: scores, batch: 2, count: 3)
        }
    }

    @Test("errors describe themselves")
    func descriptions() {
        #expect(SoftSortError.nonFiniteScore(row: 3, column: 7).description.contains("row 3, column 7"))
        #expect(SoftSortError.invalidTemperature(-1).description.contains("-1"))
        #expect(SoftSortError.unknownBackend("gpu").description.contains("gpu"))
    }

    @Test("an unavailable backend is an error, not a fallback")
    func unavailableBackend() {
        for backend in Backend.allCases where !backend.isAvailable {
            #expect(throws: SoftSortError.backendUnavailable(backend.rawValue)) {
                try SoftSort(backend: backend).forward(scores: scores, batch: 2, count: 3)
            }
        }
        #expect(Backend.available.contains(.scalar) && Backend.available.contains(.simd))
    }
}
