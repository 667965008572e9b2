import Testing
@testable import SoftSortKit

/// `SoftSortPath.gauss` through the public API: path choice, validation, and
/// agreement with the dense path.
@Suite("Gauss loss path")
struct GaussLossPathTests {
    @Test func gaussAgreesWithDense() throws {
        let batch = 3, n = 40
        var g = TestRandom(seed: 21)
        let scores = (0..<batch * n).map { _ in g.uniform(-2, 2) }
        let targets = (0..<batch * n).map { _ in Int(g.next() % UInt64(n)) }
        for direction in [SortDirection.descending, .ascending] {
            let op = SoftSort(temperature: 0.3, power: 2, direction: direction)
            let automatic = try op.forward(scores: scores, batch: batch, count: n, path: .gauss).crossEntropy(targets: targets)
            let dense = try op.forward(scores: scores, batch: batch, count: n, path: .dense)
                .crossEntropy(targets: targets)
            #expect(automatic.path == .gauss && dense.path == .dense)
            #expect(abs(automatic.value - dense.value) <= 1e-11 * abs(dense.value))
            #expect(relativeError(automatic.gradient, dense.gradient) <= 1e-10)
            let float = try op.forward(scores: scores.map { Float($0) }, batch: batch, count: n, path: .gauss)
                .crossEntropy(targets: targets)
            let reference = GaussTransformTests.denseLoss(
                scores: scores.map { Double(Float($0)) }, targets: targets, batch: batch, count: n,
                temperature: 0.3, direction: direction)
            #expect(float.path == .gauss)
            #expect(abs(Double(float.value) - reference.loss) <= 1e-6 * abs(reference.loss))
            #expect(relativeError(float.gradient, reference.gradient) <= 1e-6)
        }
    }

    @Test("an explicit backend picks the transforms' code: avx2 the C kernels, simd and scalar the Swift SIMD ones")
    func explicitBackendRunsAndIsReported() throws {
        let batch = 2, n = 300
        var g = TestRandom(seed: 5)
        let scores = (0..<batch * n).map { _ in Float(g.uniform(0, 1)) }
        let targets = (0..<batch * n).map { $0 % n }
        var results: [Backend: Loss<Float>] = [:]
        for backend in Backend.available {
            let loss = try SoftSort(temperature: 1e-3, power: 2, backend: backend)
                .forward(scores: scores, batch: batch, count: n, path: .gauss).crossEntropy(targets: targets)
            #expect(loss.backend == (backend == .avx2 ? .avx2 : .simd))
            results[backend] = loss
        }
        // scalar and simd run the same code: the same bits; avx2 (FMA) agrees to rounding.
        let simd = try #require(results[.simd])
        #expect(results[.scalar]?.value == simd.value && results[.scalar]?.gradient == simd.gradient)
        if let avx2 = results[.avx2] {
            #expect(abs(avx2.value - simd.value) <= 1e-6 * abs(simd.value))
            #expect(relativeError(avx2.gradient, simd.gradient.map(Double.init)) <= 1e-5)
        }
    }

    /// The gauss path needs SoftSort with `p = 2` (the forward says so) and
    /// checks the targets; it has the kNN loss too, which `.automatic` picks
    /// for `p = 2` (`GaussProductsTests` checks its value).
    @Test func gaussNeedsPowerTwo() throws {
        #expect(throws: SoftSortError.unsupportedPath(
            path: "gauss", reason: "the Gauss transform needs p = 2; use .exact for p = 1, else .fused")) {
            try SoftSort(power: 1).forward(scores: [0.5, 0.1], batch: 1, count: 2, path: .gauss)
        }
        #expect(throws: SoftSortError.unsupportedPath(
            path: "gauss", reason: "NeuralSort runs on the dense and fused paths only")) {
            try NeuralSort().forward(scores: [0.5, 0.1], batch: 1, count: 2, path: .gauss)
        }
        #expect(throws: SoftSortError.indexOutOfRange(argument: "targets", position: 1, value: 2, count: 2)) {
            try SoftSort(power: 2).forward(scores: [0.5, 0.1], batch: 1, count: 2, path: .gauss)
                .crossEntropy(targets: [0, 2])
        }
        let gaussKNN = try SoftSort(power: 2).forward(scores: [0.5, 0.1], batch: 1, count: 2, path: .gauss)
            .nearestNeighborLoss(matches: [1, 0], k: 1)
        #expect(gaussKNN.path == .gauss)
        let empty = try SoftSort(power: 2).forward(scores: [Float](), batch: 0, count: 5, path: .gauss).crossEntropy(targets: [])
        #expect(empty.path == .gauss && empty.gradient.isEmpty && empty.value == 0)
    }
}
