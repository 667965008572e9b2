import Foundation
import Testing
@testable import SoftSortKit

/// The AVX2+FMA C kernels (Float) against the Double reference, and proof that
/// the `avx2` backend runs them. Skipped, with a message, without AVX2.
@Suite("AVX2 kernels", .enabled(if: Backend.avx2.isAvailable, "this CPU has no AVX2+FMA: the avx2 backend cannot run"))
struct AVX2KernelTests {
    /// Sizes around the AVX2 steps (8 lanes, 16 and 32 per unrolled step).
    static let sizes = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100]

    @Test("the avx2 backend runs the C kernels when asked")
    func avx2ReallyRan() throws {
        var random = TestRandom(seed: 30)
        let n = 64
        let scores = (0..<n).map { _ in Float(random.uniform()) }
        let weights = (0..<n * n).map { _ in Float(random.uniform()) }
        for power in [1.0, 2.0] {
            let result = try SoftSort(temperature: 0.3, power: power, backend: .avx2)
                .forward(scores: scores, batch: 1, count: n, path: .dense).matrices()
            let gradient = try result.backward(weights)
            #expect(result.backend == .avx2)
            // The C kernels round differently from the Swift SIMD ones (FMA in
            // exp and in the distance): the two results cannot be bitwise equal.
            let simd = try SoftSort(temperature: 0.3, power: power, backend: .simd)
                .forward(scores: scores, batch: 1, count: n, path: .dense).matrices()
            #expect(simd.backend == .simd)
            #expect(result.values != simd.values)
            #expect(maxAbsDifference(result.values, simd.values) <= 1e-5)
            #expect(maxAbsDifference(gradient, try simd.backward(weights)) <= 1e-3)
        }
        let applied = try SoftSort(temperature: 0.3, power: 2, backend: .avx2)
            .forward(scores: scores, batch: 1, count: n, path: .fused).apply(to: scores)
        let appliedSIMD = try SoftSort(temperature: 0.3, power: 2, backend: .simd)
            .forward(scores: scores, batch: 1, count: n, path: .fused).apply(to: scores)
        #expect(applied.backend == .avx2 && appliedSIMD.backend == .simd)
        #expect(applied.values != appliedSIMD.values)
        // The C kernels have p = 1 and p = 2 only: another p runs (and reports) simd.
        let general = try SoftSort(temperature: 0.3, power: 1.5, backend: .avx2)
            .forward(scores: scores, batch: 1, count: n, path: .dense).matrices()
        let generalSIMD = try SoftSort(temperature: 0.3, power: 1.5, backend: .simd)
            .forward(scores: scores, batch: 1, count: n, path: .dense).matrices()
        #expect(general.backend == .simd)
        #expect(general.values == generalSIMD.values)
        // Double has no C kernels: avx2 runs (and reports) simd.
        let double = try SoftSort(temperature: 0.3, backend: .avx2)
            .forward(scores: scores.map(Double.init), batch: 1, count: n, path: .dense).matrices()
        #expect(double.backend == .simd)
    }

    @Test("NeuralSort, the window path and a perturbation run the C kernels on avx2")
    func avx2RanOnEveryPath() throws {
        var random = TestRandom(seed: 34)
        let n = 64
        let scores = (0..<2 * n).map { _ in Float(random.uniform()) }
        let weights = (0..<2 * n * n).map { _ in Float(random.uniform()) }
        // NeuralSort: reported, and bitwise apart from simd (FMA in the C exp),
        // yet close to it.
        for direction in [SortDirection.descending, .ascending] {
            let avx2 = try NeuralSort(temperature: 0.5, direction: direction, backend: .avx2)
                .forward(scores: scores, batch: 2, count: n, path: .dense).matrices()
            let simd = try NeuralSort(temperature: 0.5, direction: direction, backend: .simd)
                .forward(scores: scores, batch: 2, count: n, path: .dense).matrices()
            #expect(avx2.backend == .avx2 && simd.backend == .simd)
            #expect(avx2.values != simd.values, "\(direction)")
            #expect(maxAbsDifference(avx2.values, simd.values) <= 1e-4, "\(direction)")
            let g1 = try avx2.backward(weights), g2 = try simd.backward(weights)
            #expect(g1 != g2, "\(direction)")
            #expect(maxAbsDifference(g1, g2) <= 1e-2 * max(1, maxAbs(g2)), "\(direction)")
        }
        // The window path: p = 1 and 2 run the C row kernels on each window.
        for power in [1.0, 2.0] {
            for window in [SoftSortPath.Window.ranks(40), .tolerance(1e-6)] {
                let op = SoftSort(temperature: 0.3, power: power, backend: .avx2)
                let avx2 = try op.forward(scores: scores, batch: 2, count: n, path: .window(window))
                    .sparseRows(rows: 20)
                var simdOp = op
                simdOp.backend = .simd
                let simd = try simdOp.forward(scores: scores, batch: 2, count: n, path: .window(window))
                    .sparseRows(rows: 20)
                #expect(avx2.backend == .avx2 && simd.backend == .simd, "p \(power) \(window)")
                #expect(avx2.rowOffsets == simd.rowOffsets, "p \(power) \(window)")
                #expect(avx2.values != simd.values, "p \(power) \(window)")
                #expect(maxAbsDifference(avx2.values, simd.values) <= 1e-5, "p \(power) \(window)")
                let g = (0..<avx2.values.count).map { Float(($0 * 37) % 11) / 11 - 0.5 }
                let g1 = try avx2.backward(g), g2 = try simd.backward(g)
                #expect(g1 != g2, "p \(power) \(window)")
                #expect(maxAbsDifference(g1, g2) <= 1e-3 * max(1, maxAbs(g2)), "p \(power) \(window)")
            }
        }
        // Another p has no C kernel: it runs, and reports, simd, with simd's bits.
        let general = try SoftSort(temperature: 0.3, power: 1.5, backend: .avx2)
            .forward(scores: scores, batch: 2, count: n, path: .window(.ranks(40))).sparseRows(rows: 20)
        let generalSIMD = try SoftSort(temperature: 0.3, power: 1.5, backend: .simd)
            .forward(scores: scores, batch: 2, count: n, path: .window(.ranks(40))).sparseRows(rows: 20)
        #expect(general.backend == .simd && general.values == generalSIMD.values)
        // Double has none either.
        let double = try SoftSort(temperature: 0.3, backend: .avx2)
            .forward(scores: scores.map(Double.init), batch: 2, count: n, path: .window(.ranks(40)))
            .sparseRows(rows: 20)
        #expect(double.backend == .simd)
        // A perturbation runs its SoftSort's kernels.
        let perturbation = GumbelPerturbation(samplesPerRow: 2, seed: 5)
        let stochastic = try SoftSort(temperature: 0.5, backend: .avx2, perturbation: perturbation)
            .forward(scores: scores, batch: 2, count: n, path: .dense)
        let stochasticSIMD = try SoftSort(temperature: 0.5, backend: .simd, perturbation: perturbation)
            .forward(scores: scores, batch: 2, count: n, path: .dense)
        let matrices = try stochastic.matrices(), matricesSIMD = try stochasticSIMD.matrices()
        #expect(matrices.backend == .avx2 && matricesSIMD.backend == .simd)
        #expect(stochastic.scores == stochasticSIMD.scores)
        #expect(matrices.values != matricesSIMD.values)
        #expect(maxAbsDifference(matrices.values, matricesSIMD.values) <= 1e-5)
    }

    @Test("SoftSort Float on avx2 matches the Double reference", arguments: [1.0, 2.0])
    func softSortMatchesReference(power: Double) throws {
        var random = TestRandom(seed: 31)
        for n in Self.sizes {
            let batch = n > 40 ? 1 : 2
            let scores = (0..<batch * n).map { _ in Float(random.uniform()) }
            let weights = (0..<batch * n * n).map { _ in Float(random.uniform()) }
            for tau in [1e-3, 0.1, 1, 10] {
                let result = try SoftSort(temperature: tau, power: power, backend: .avx2)
                    .forward(scores: scores, batch: batch, count: n, path: .dense).matrices()
                #expect(result.backend == .avx2)
                let reference = Reference.softSort(
                    scores: scores.map(Double.init), batch: batch, count: n, temperature: Double(Float(tau)), power: power)
                // Each logit is off by about u (6 |z| + 2 n + 8) (README, "Accuracy"), and P |z| <= 1/e.
                let bound = 0x1p-24 * Double(2 * n + 16) * 4 + 0x1p-95
                #expect(maxAbsDifference(result.values.map(Double.init), reference) <= bound, "n \(n) tau \(tau)")
                let gradient = try result.backward(weights)
                let expected = Reference.softSortBackward(
                    scores: scores.map(Double.init), batch: batch, count: n, temperature: Double(Float(tau)),
                    power: power, gradient: weights.map(Double.init))
                let scale = max(maxAbs(expected), 1) * Double(n) / min(tau, 1)
                #expect(maxAbsDifference(gradient.map(Double.init), expected) <= 2e-6 * scale, "n \(n) tau \(tau)")
            }
        }
    }

    @Test("NeuralSort Float on avx2 matches the Double reference")
    func neuralSortMatchesReference() throws {
        var random = TestRandom(seed: 32)
        for n in Self.sizes {
            let scores = (0..<2 * n).map { _ in Float(random.uniform()) }
            let weights = (0..<2 * n * n).map { _ in Float(random.uniform()) }
            for tau in [0.1, 1, 10] {
                for direction in [SortDirection.descending, .ascending] {
                    let result = try NeuralSort(temperature: tau, direction: direction, backend: .avx2)
                        .forward(scores: scores, batch: 2, count: n, path: .dense).matrices()
                    #expect(result.backend == .avx2)
                    let doubles = scores.map(Double.init)
                    let reference = Reference.neuralSort(
                        scores: doubles, batch: 2, count: n, temperature: Double(Float(tau)), direction: direction)
                    // Logits of size 2 n max|s| / tau cancel in the softmax.
                    let logitScale = Double(4 * n) / tau
                    #expect(maxAbsDifference(result.values.map(Double.init), reference) <= 0x1p-24 * 8 * (logitScale + Double(n)), "n \(n) tau \(tau)")
                    let gradient = try result.backward(weights)
                    let expected = Reference.neuralSortBackward(
                        scores: doubles, batch: 2, count: n, temperature: Double(Float(tau)), direction: direction,
                        gradient: weights.map(Double.init))
                    let scale = max(maxAbs(expected), 1) * Double(n) * (1 + logitScale)
                    #expect(maxAbsDifference(gradient.map(Double.init), expected) <= 2e-6 * scale, "n \(n) tau \(tau)")
                }
            }
        }
    }

    #if arch(x86_64)
    /// Runs the avx2 SoftSort forward on scores and a matrix placed `offset`
    /// floats past an aligned start.
    static func forwardAtOffset(_ scores: [Float], _ centres: [Float], power: DistancePower, offset: Int, stream: Bool) -> [Float] {
        let n = scores.count
        let s = UnsafeMutablePointer<Float>.allocate(capacity: n + 8)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n + 8)
        let m = UnsafeMutablePointer<Float>.allocate(capacity: n * n + 8)
        // The streaming row buffer, misaligned by the same offset.
        let r = UnsafeMutablePointer<Float>.allocate(capacity: n + 8)
        defer { s.deallocate(); c.deallocate(); m.deallocate(); r.deallocate() }
        (s + offset).initialize(from: scores, count: n)
        (c + offset).initialize(from: centres, count: n)
        let job = SoftSortRowJob(scores: s + offset, centres: c + offset, matrix: m + offset, count: n,
                                 temperature: 0.5, power: power, streamingBuffer: stream ? r + offset : nil)
        Float.kernelSet.kernels(for: .avx2).dense.softSortForward(job, 0..<n)
        return Array(UnsafeBufferPointer(start: m + offset, count: n * n))
    }

    @Test("misaligned buffers, row splits and streaming stores give bitwise-identical rows")
    func alignmentAndStreaming() {
        var random = TestRandom(seed: 33)
        for n in [1, 7, 9, 17, 33, 65] {
            let scores = (0..<n).map { _ in Float(random.uniform()) }
            let centres = scores.sorted(by: >)
            for power in [DistancePower.one, .two] {
                let aligned = Self.forwardAtOffset(scores, centres, power: power, offset: 0, stream: false)
                for offset in 1...7 {
                    for stream in [false, true] {
                        let shifted = Self.forwardAtOffset(scores, centres, power: power, offset: offset, stream: stream)
                        #expect(shifted == aligned, "n \(n) offset \(offset) stream \(stream)")
                    }
                }
                // Splitting the rows over two calls changes nothing.
                let table = Float.kernelSet.kernels(for: .avx2).dense
                var split = [Float](repeating: 0, count: n * n)
                scores.withUnsafeBufferPointer { s in
                    centres.withUnsafeBufferPointer { c in
                        split.withUnsafeMutableBufferPointer { m in
                            let job = SoftSortRowJob(scores: s.baseAddress!, centres: c.baseAddress!, matrix: m.baseAddress!,
                                                     count: n, temperature: 0.5, power: power)
                            table.softSortForward(job, 0..<n / 2)
                            table.softSortForward(job, n / 2..<n)
                        }
                    }
                }
                #expect(split == aligned, "n \(n)")
            }
        }
    }
    #endif

    @Test("entries below 2^-96 are flushed to 0 by both vector backends")
    func kernelFlush() throws {
        // P[0, 1] = exp(-70) / (1 + exp(-70)) < 2^-96: flushed; exp(-60) is kept.
        for backend in [Backend.simd, .avx2] {
            let flushed = try SoftSort(temperature: 1, backend: backend)
                .forward(scores: [Float](arrayLiteral: 70, 0), batch: 1, count: 2, path: .dense).matrices()
            #expect(flushed.values[1] == 0, "\(backend)")
            let kept = try SoftSort(temperature: 1, backend: backend)
                .forward(scores: [Float](arrayLiteral: 60, 0), batch: 1, count: 2, path: .dense).matrices()
            #expect(kept.values[1] > 0, "\(backend)")
            #expect(abs(Double(kept.values[1]) / exp(-60.0) - 1) < 1e-5, "\(backend)")
        }
    }
}
