import Testing
@testable import SoftSortKit

/// Every row-kernel family (dense SoftSort and NeuralSort forward and
/// backward, NeuralSort's column sums, the fused apply forward and backward),
/// on every backend's table, `Float` and `Double`: buffers that start 1 to 7
/// elements past a 64-byte boundary (all at one offset, and each at its own)
/// must give the bits the aligned buffers give, and nothing may be written
/// outside a buffer. Sizes sit around the vector widths (8 `Float`, 4
/// `Double`, and the C kernels' 16- and 32-element steps).
///
/// The exact scans are not here: the exact path takes arrays, whose
/// placement a test does not control.
@Suite("Misaligned buffers")
struct MisalignmentTests {
    static let sizes = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33]

    /// Where each buffer of one call starts: the `k`-th buffer
    /// `(first + step * k) % 8` elements past a 64-byte boundary.
    struct Layout: Sendable, CustomStringConvertible {
        let first: Int, step: Int
        func offset(_ k: Int) -> Int { (first + step * k) % 8 }
        var description: String { step == 0 ? "all at +\(first)" : "staggered from +\(first) by \(step)" }

        static let aligned = Layout(first: 0, step: 0)
        /// Every buffer at `o`, then three layouts with every buffer at its own offset.
        static let misaligned = (1...7).map { Layout(first: $0, step: 0) }
            + [Layout(first: 1, step: 3), Layout(first: 4, step: 3), Layout(first: 7, step: 5)]
    }

    /// Buffers of one kernel call, each placed per a `Layout`, with 64 bytes
    /// of guard elements on either side holding a sentinel that must survive.
    final class Arena<T: SoftSortScalar> {
        private var blocks: [(raw: UnsafeMutableRawPointer, start: UnsafeMutablePointer<T>, count: Int, capacity: Int)] = []
        let layout: Layout
        static var sentinel: T { T(-7777.25) }

        init(_ layout: Layout) { self.layout = layout }

        /// A buffer holding `values`.
        func buffer(_ values: [T]) -> UnsafeMutablePointer<T> {
            let guardCount = 64 / MemoryLayout<T>.stride
            let capacity = guardCount + 8 + values.count + guardCount
            let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<T>.stride, alignment: 64)
            let base = raw.bindMemory(to: T.self, capacity: capacity)
            base.initialize(repeating: Self.sentinel, count: capacity)
            let start = base + guardCount + layout.offset(blocks.count)  // 64-byte aligned + offset
            start.update(from: values, count: values.count)
            blocks.append((raw, start, values.count, capacity))
            return start
        }

        func buffer(zeros count: Int) -> UnsafeMutablePointer<T> { buffer([T](repeating: 0, count: count)) }

        func read(_ pointer: UnsafeMutablePointer<T>, _ count: Int) -> [T] {
            Array(UnsafeBufferPointer(start: pointer, count: count))
        }

        /// Whether every guard element still holds the sentinel.
        var guardsIntact: Bool {
            blocks.allSatisfy { block in
                let base = block.raw.assumingMemoryBound(to: T.self)
                let head = block.start - base, tail = head + block.count
                return (0..<head).allSatisfy { base[$0] == Self.sentinel }
                    && (tail..<block.capacity).allSatisfy { base[$0] == Self.sentinel }
            }
        }

        deinit { for block in blocks { block.raw.deallocate() } }
    }

    /// The first index where `a` and `b` differ in any bit (sign, exponent,
    /// significand: so `-0` against `0` and NaN payloads count), `nil` if none.
    static func firstDifference<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Int? {
        guard a.count == b.count else { return min(a.count, b.count) }
        return a.indices.first { i in
            let x = a[i], y = b[i]
            if x.sign != y.sign { return true }
            if x.exponentBitPattern != y.exponentBitPattern { return true }
            return x.significandBitPattern != y.significandBitPattern
        }
    }

    /// The inputs of one size: scores, centres (the sorted scores), a matrix
    /// gradient, values (transposed, `d x n`) and an output gradient.
    struct Inputs<T: SoftSortScalar> {
        let n: Int, d: Int
        let scores: [T], centres: [T], matrixGradient: [T], values: [T], outputGradient: [T]

        init(n: Int, d: Int, seed: UInt64) {
            var random = TestRandom(seed: seed)
            self.n = n
            self.d = d
            scores = (0..<n).map { _ in T(random.uniform()) }
            centres = scores.sorted(by: >)
            matrixGradient = (0..<n * n).map { _ in T(random.uniform()) }
            values = (0..<d * n).map { _ in T(random.uniform()) }
            outputGradient = (0..<n * d).map { _ in T(random.uniform()) }
        }
    }

    /// The powers a table takes: the C kernels have `p = 1` and `p = 2` only.
    static func powers<T>(_ kernels: DenseKernels<T>) -> [DistancePower] {
        kernels.coversGeneralPower ? [.one, .two, .general(1.5)] : [.one, .two]
    }

    // MARK: Dense

    /// SoftSort forward then backward; every output, the guards' state.
    static func softSort<T: VectorScalar>(
        _ kernels: DenseKernels<T>, _ input: Inputs<T>, power: DistancePower, layout: Layout, stream: Bool = false
    ) -> (outputs: [[T]], intact: Bool) {
        let arena = Arena<T>(layout), n = input.n
        let s = arena.buffer(input.scores), c = arena.buffer(input.centres), m = arena.buffer(zeros: n * n)
        let temperature = T(0.3)
        // The streaming row buffer (`count` elements) is one more placed, guarded buffer.
        let forward = SoftSortRowJob(scores: s, centres: c, matrix: m, count: n, temperature: temperature, power: power,
                                     streamingBuffer: stream ? arena.buffer(zeros: n) : nil)
        kernels.softSortForward(forward, 0..<n)
        let g = arena.buffer(input.matrixGradient)
        let columnGradient = arena.buffer(zeros: n), centreGradient = arena.buffer(zeros: n)
        kernels.softSortBackward(SoftSortBackwardJob(
            scores: s, centres: c, matrix: m, matrixGradient: g, columnGradient: columnGradient,
            centreGradient: centreGradient, count: n, temperature: temperature, power: power), 0..<n)
        return ([arena.read(m, n * n), arena.read(columnGradient, n), arena.read(centreGradient, n)], arena.guardsIntact)
    }

    /// NeuralSort's column sums, forward, backward and column-sum backward.
    static func neuralSort<T: VectorScalar>(
        _ kernels: DenseKernels<T>, _ input: Inputs<T>, sign: T, layout: Layout, stream: Bool = false
    ) -> (outputs: [[T]], intact: Bool) {
        let arena = Arena<T>(layout), n = input.n
        let s = arena.buffer(input.scores), sums = arena.buffer(zeros: n), m = arena.buffer(zeros: n * n)
        kernels.columnSums(s, n, sums)
        let temperature = T(0.7)
        kernels.neuralSortForward(NeuralSortRowJob(
            scores: s, columnSums: sums, matrix: m, count: n, temperature: temperature, sign: sign,
            streamingBuffer: stream ? arena.buffer(zeros: n) : nil), 0..<n)
        let g = arena.buffer(input.matrixGradient)
        let scoreGradient = arena.buffer(zeros: n), sumGradient = arena.buffer(zeros: n)
        kernels.neuralSortBackward(NeuralSortBackwardJob(
            scores: s, matrix: m, matrixGradient: g, scoreGradient: scoreGradient, columnSumGradient: sumGradient,
            count: n, temperature: temperature, sign: sign), 0..<n)
        let gradient = arena.buffer(zeros: n)
        kernels.columnSumsBackward(s, n, sumGradient, gradient)
        return ([arena.read(sums, n), arena.read(m, n * n), arena.read(scoreGradient, n), arena.read(sumGradient, n),
                 arena.read(gradient, n)], arena.guardsIntact)
    }

    static func checkDense<T: VectorScalar>(_: T.Type, backend: Backend) {
        let kernels = T.kernelSet.kernels(for: backend).dense
        // Only the C forward kernels take non-temporal stores (through a row
        // buffer); they must not change a bit.
        let streams = kernels.backend == .avx2 ? [false, true] : [false]
        for n in Self.sizes {
            let input = Inputs<T>(n: n, d: 1, seed: UInt64(100 + n))
            for power in Self.powers(kernels) {
                let aligned = Self.softSort(kernels, input, power: power, layout: .aligned)
                #expect(aligned.intact, "\(T.self) \(backend) SoftSort n \(n) p \(power): a write outside a buffer")
                #expect(aligned.outputs[0].contains { $0 > 0 }, "\(T.self) \(backend) n \(n): P was never written")
                for layout in Layout.misaligned {
                    for stream in streams {
                        let shifted = Self.softSort(kernels, input, power: power, layout: layout, stream: stream)
                        let label = "\(T.self) \(backend) SoftSort n \(n) p \(power) \(layout) stream \(stream)"
                        #expect(shifted.intact, "\(label): a write outside a buffer")
                        for (k, (a, b)) in zip(aligned.outputs, shifted.outputs).enumerated() {
                            #expect(Self.firstDifference(a, b) == nil, "\(label): output \(k)")
                        }
                    }
                }
            }
            for sign: T in [1, -1] {
                let aligned = Self.neuralSort(kernels, input, sign: sign, layout: .aligned)
                #expect(aligned.intact, "\(T.self) \(backend) NeuralSort n \(n): a write outside a buffer")
                for layout in Layout.misaligned {
                    for stream in streams {
                        let shifted = Self.neuralSort(kernels, input, sign: sign, layout: layout, stream: stream)
                        let label = "\(T.self) \(backend) NeuralSort n \(n) sign \(sign) \(layout) stream \(stream)"
                        #expect(shifted.intact, "\(label): a write outside a buffer")
                        for (k, (a, b)) in zip(aligned.outputs, shifted.outputs).enumerated() {
                            #expect(Self.firstDifference(a, b) == nil, "\(label): output \(k)")
                        }
                    }
                }
            }
        }
    }

    @Test("dense SoftSort and NeuralSort kernels, Float", arguments: Backend.available)
    func denseFloat(backend: Backend) { Self.checkDense(Float.self, backend: backend) }

    @Test("dense SoftSort and NeuralSort kernels, Double", arguments: Backend.available)
    func denseDouble(backend: Backend) { Self.checkDense(Double.self, backend: backend) }

    // MARK: Apply

    /// The fused apply forward then backward (`dot_i = <G_i, Y_i>` from the
    /// aligned forward's output, so both layouts get the same input).
    static func apply<T: VectorScalar>(
        _ kernels: ApplyKernels<T>, _ input: Inputs<T>, power: DistancePower, columnTile: Int, layout: Layout
    ) -> (outputs: [[T]], intact: Bool) {
        let arena = Arena<T>(layout), n = input.n, d = input.d
        let s = arena.buffer(input.scores), c = arena.buffer(input.centres), v = arena.buffer(input.values)
        let y = arena.buffer(zeros: n * d), z = arena.buffer(zeros: n)
        let scratch = arena.buffer(zeros: ApplyTiling.scratchCount(count: n, columnTile: columnTile))
        let temperature = T(0.4)
        kernels.forward(ApplyForwardJob(
            scores: s, centres: c, values: v, output: y, normalizers: z, count: n, dimension: d,
            temperature: temperature, power: power, columnTile: columnTile, scratch: scratch), 0..<n)
        let output = arena.read(y, n * d)
        let dots = (0..<n).map { i in (0..<d).reduce(T(0)) { $0 + input.outputGradient[i * d + $1] * output[i * d + $1] } }
        let dot = arena.buffer(dots), g = arena.buffer(input.outputGradient)
        let scoreGradient = arena.buffer(zeros: n), valueGradient = arena.buffer(zeros: d * n)
        let centreGradient = arena.buffer(zeros: n)
        let backwardScratch = arena.buffer(zeros: ApplyTiling.scratchCount(count: n, columnTile: columnTile))
        kernels.backward(ApplyBackwardJob(
            scores: s, centres: c, values: v, normalizers: z, outputDots: dot, outputGradient: g,
            scoreGradient: scoreGradient, valueGradient: valueGradient, centreGradient: centreGradient, count: n,
            dimension: d, temperature: temperature, power: power, columnTile: columnTile, scratch: backwardScratch), 0..<n)
        return ([output, arena.read(z, n), arena.read(scoreGradient, n), arena.read(valueGradient, d * n),
                 arena.read(centreGradient, n)], arena.guardsIntact)
    }

    static func checkApply<T: VectorScalar>(_: T.Type, backend: Backend) {
        let kernels = T.kernelSet.kernels(for: backend).apply
        let powers: [DistancePower] = kernels.coversGeneralPower ? [.one, .two, .general(0.7)] : [.one, .two]
        for n in Self.sizes {
            for d in [1, 3] {
                let input = Inputs<T>(n: n, d: d, seed: UInt64(200 + 7 * n + d))
                // The general p once (d = 1); a tile of 8 only where it cuts the row.
                for power in powers where d == 1 || power != .general(0.7) {
                    for columnTile in n > 8 ? [0, 8] : [0] {
                        let label = "\(T.self) \(backend) apply n \(n) d \(d) p \(power) tile \(columnTile)"
                        let aligned = Self.apply(kernels, input, power: power, columnTile: columnTile, layout: .aligned)
                        #expect(aligned.intact, "\(label): a write outside a buffer")
                        #expect(aligned.outputs[1].allSatisfy { $0 >= 1 }, "\(label): Z_i >= 1 (the diagonal term)")
                        for layout in Layout.misaligned {
                            let shifted = Self.apply(kernels, input, power: power, columnTile: columnTile, layout: layout)
                            #expect(shifted.intact, "\(label) \(layout): a write outside a buffer")
                            for (k, (a, b)) in zip(aligned.outputs, shifted.outputs).enumerated() {
                                #expect(Self.firstDifference(a, b) == nil, "\(label) \(layout): output \(k)")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("fused apply kernels, Float", arguments: Backend.available)
    func applyFloat(backend: Backend) { Self.checkApply(Float.self, backend: backend) }

    @Test("fused apply kernels, Double", arguments: Backend.available)
    func applyDouble(backend: Backend) { Self.checkApply(Double.self, backend: backend) }
}
