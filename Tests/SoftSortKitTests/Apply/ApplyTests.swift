import Testing
@testable import SoftSortKit

/// The fused `Y = P V` and its backward, on every backend, against the dense
/// Double reference: `Y = P V`, `dL/dV = P^T G`, `dL/ds` = the dense backward
/// of `dL/dP = G V^T`.
@Suite("Fused apply Y = P V")
struct ApplyTests {
    /// Y, dL/ds and dL/dV from the dense Double reference.
    static func reference(
        scores: [Double], values: [Double], gradient: [Double], batch: Int, count n: Int, dimension d: Int,
        temperature: Double, power: Double, direction: SortDirection
    ) -> (y: [Double], scores: [Double], values: [Double]) {
        let p = Reference.softSort(scores: scores, batch: batch, count: n, temperature: temperature, power: power,
                                   direction: direction)
        var y = [Double](repeating: 0, count: batch * n * d)
        var dV = [Double](repeating: 0, count: batch * n * d)
        var dP = [Double](repeating: 0, count: batch * n * n)
        for b in 0..<batch {
            for i in 0..<n {
                for j in 0..<n {
                    let pij = p[(b * n + i) * n + j]
                    for k in 0..<d {
                        y[(b * n + i) * d + k] += pij * values[(b * n + j) * d + k]
                        dV[(b * n + j) * d + k] += pij * gradient[(b * n + i) * d + k]
                        dP[(b * n + i) * n + j] += gradient[(b * n + i) * d + k] * values[(b * n + j) * d + k]
                    }
                }
            }
        }
        let dS = Reference.softSortBackward(scores: scores, batch: batch, count: n, temperature: temperature,
                                            power: power, direction: direction, gradient: dP)
        return (y, dS, dV)
    }

    @Test("Double matches the dense reference", arguments: Backend.available, [1.0, 2.0, 0.7])
    func doubleMatchesReference(backend: Backend, power: Double) throws {
        var random = TestRandom(seed: 40)
        for n in [0, 1, 2, 7, 9, 17, 40] {
            for d in [0, 1, 3] {
                let batch = 2
                let scores = (0..<batch * n).map { _ in random.uniform() }
                let values = (0..<batch * n * d).map { _ in random.uniform() }
                let gradient = (0..<batch * n * d).map { _ in random.uniform() }
                for tau in [1e-3, 0.1, 1, 10] {
                    for direction in [SortDirection.descending, .ascending] {
                        let op = SoftSort(temperature: tau, power: power, direction: direction, backend: backend)
                        let product = try op.forward(scores: scores, batch: batch, count: n, path: .fused)
                            .apply(to: values, dimension: d)
                        #expect(product.path == .fused && product.rows == n && product.dimension == d)
                        #expect(product.backend == (backend == .avx2 ? .simd : backend))
                        let expected = Self.reference(
                            scores: scores, values: values, gradient: gradient, batch: batch, count: n, dimension: d,
                            temperature: tau, power: power, direction: direction)
                        #expect(maxAbsDifference(product.values, expected.y) <= 1e-13, "n \(n) d \(d) tau \(tau)")
                        let grad = try product.backward(gradient)
                        let scale = max(maxAbs(expected.scores), 1) * Double(max(n, 1)) / min(tau, 1)
                        #expect(maxAbsDifference(grad.scores, expected.scores) <= 1e-13 * scale, "n \(n) d \(d) tau \(tau)")
                        #expect(maxAbsDifference(grad.values, expected.values) <= 1e-13 * Double(max(n, 1)))
                    }
                }
            }
        }
    }

    @Test("Float matches the dense reference", arguments: Backend.available, [1.0, 2.0])
    func floatMatchesReference(backend: Backend, power: Double) throws {
        var random = TestRandom(seed: 41)
        for n in [1, 7, 8, 9, 16, 17, 33, 65] {
            for d in [1, 2, 9] {
                let scores = (0..<n).map { _ in Float(random.uniform()) }
                let values = (0..<n * d).map { _ in Float(random.uniform()) }
                let gradient = (0..<n * d).map { _ in Float(random.uniform()) }
                for tau in [1e-3, 0.1, 1, 10] {
                    let product = try SoftSort(temperature: tau, power: power, backend: backend)
                        .forward(scores: scores, batch: 1, count: n, path: .fused).apply(to: values, dimension: d)
                    #expect(product.backend == backend)
                    let expected = Self.reference(
                        scores: scores.map(Double.init), values: values.map(Double.init),
                        gradient: gradient.map(Double.init), batch: 1, count: n, dimension: d,
                        temperature: Double(Float(tau)), power: power, direction: .descending)
                    let u = 0x1p-24 * Double(4 * n + 32)
                    #expect(maxAbsDifference(product.values.map(Double.init), expected.y) <= u, "n \(n) d \(d) tau \(tau)")
                    let grad = try product.backward(gradient)
                    let scale = max(maxAbs(expected.scores), 1) * Double(n) / min(tau, 1)
                    #expect(maxAbsDifference(grad.scores.map(Double.init), expected.scores) <= 4 * u * scale, "n \(n) d \(d) tau \(tau)")
                    #expect(maxAbsDifference(grad.values.map(Double.init), expected.values) <= u * Double(n))
                }
            }
        }
    }

    @Test("column tiles and row splits change only the last bits", arguments: Backend.available)
    func tilingAndRowSplits(backend: Backend) {
        var random = TestRandom(seed: 42)
        let n = 45, d = 2
        let scores = (0..<n).map { _ in Float(random.uniform()) }
        let centres = scores.sorted(by: >)
        let values = (0..<d * n).map { _ in Float(random.uniform()) }  // already transposed
        let table = Float.kernelSet.kernels(for: backend).apply
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: ApplyTiling.scratchCount(count: n, columnTile: 0))
        defer { scratch.deallocate() }
        func run(tile: Int, split: Int) -> [Float] {
            var output = [Float](repeating: 0, count: n * d), z = [Float](repeating: 0, count: n)
            scores.withUnsafeBufferPointer { s in centres.withUnsafeBufferPointer { c in values.withUnsafeBufferPointer { v in
                output.withUnsafeMutableBufferPointer { y in z.withUnsafeMutableBufferPointer { z in
                    let job = ApplyForwardJob(scores: s.baseAddress!, centres: c.baseAddress!, values: v.baseAddress!,
                                              output: y.baseAddress!, normalizers: z.baseAddress!, count: n, dimension: d,
                                              temperature: 0.2, power: .two, columnTile: tile, scratch: scratch)
                    table.forward(job, 0..<split)
                    table.forward(job, split..<n)
                }}
            }}}
            return output
        }
        let whole = run(tile: 0, split: 0)
        #expect(run(tile: 0, split: 20) == whole, "a row split is bitwise neutral")
        for tile in [1, 7, 8, 16, 44] {
            #expect(maxAbsDifference(run(tile: tile, split: 13), whole) <= 1e-6, "tile \(tile)")
        }
    }

    @Test("relaxed sorted values: apply(to: s) is P s")
    func sortedValues() throws {
        let scores: [Float] = [0.3, 2.0, -1.0, 0.7]
        for backend in Backend.available {
            let op = SoftSort(temperature: 0.5, power: 2, backend: backend)
            let product = try op.forward(scores: scores, batch: 1, count: 4, path: .fused).apply(to: scores)
            let dense = try op.forward(scores: scores, batch: 1, count: 4, path: .dense).sortedValues().values
            #expect(maxAbsDifference(product.values, dense) <= 1e-6, "\(backend)")
        }
    }

    @Test("invalid input is rejected with the argument named")
    func validation() throws {
        let op = SoftSort()
        #expect(throws: SoftSortError.sizeMismatch(argument: "values", expected: 6, actual: 5)) {
            try op.forward(scores: [Float](repeating: 0, count: 3), batch: 1, count: 3, path: .fused)
                .apply(to: [Float](repeating: 0, count: 5), dimension: 2)
        }
        #expect(throws: SoftSortError.invalidDimension(argument: "dimension", value: -1)) {
            try op.forward(scores: [Float](repeating: 0, count: 3), batch: 1, count: 3, path: .fused)
                .apply(to: [Float](), dimension: -1)
        }
        #expect(throws: SoftSortError.nonFiniteScore(row: 0, column: 1)) {
            try op.forward(scores: [0, .nan, 1] as [Float], batch: 1, count: 3, path: .fused)
        }
        #expect(throws: SoftSortError.nonFiniteInput(argument: "values", row: 0, column: 1)) {
            try op.forward(scores: [Float](repeating: 0, count: 3), batch: 1, count: 3, path: .fused)
                .apply(to: [0, .infinity, 1] as [Float])
        }
        #expect(throws: SoftSortError.invalidTemperature(0)) {
            try SoftSort(temperature: 0).forward(scores: [Float](), batch: 0, count: 0, path: .fused)
        }
        let product = try op.forward(scores: [1, 2, 3] as [Float], batch: 1, count: 3, path: .fused)
            .apply(to: [Float](repeating: 1, count: 3))
        #expect(throws: SoftSortError.sizeMismatch(argument: "gradient", expected: 3, actual: 2)) {
            try product.backward([1, 2])
        }
    }
}
