import SoftSortKit

/// The kernels `simd-bench kernels` times, by their names in its JSON.
enum KernelName: String, CaseIterable, Sendable {
    case softSortForward = "softsort-forward"
    case softSortBackward = "softsort-backward"
    case neuralSortForward = "neuralsort-forward"
    case neuralSortBackward = "neuralsort-backward"
    case applyForward = "apply-forward"
    case applyBackward = "apply-backward"
    /// The fused cross-entropy, forward and backward in one pass.
    case softSortLoss = "softsort-loss"
    case neuralSortLoss = "neuralsort-loss"

    /// Whether the kernel takes the distance power `p` (NeuralSort does not).
    var usesPower: Bool {
        self != .neuralSortForward && self != .neuralSortBackward && self != .neuralSortLoss
    }

    /// Whether the kernel reads or writes the `B x n x n` matrices.
    var needsMatrices: Bool {
        switch self {
        case .softSortForward, .softSortBackward, .neuralSortForward, .neuralSortBackward: return true
        case .applyForward, .applyBackward, .softSortLoss, .neuralSortLoss: return false
        }
    }
}

/// Preallocated `Float` buffers for timing one kernel over a batch, one
/// thread, without the allocation and sorting of the public API: what
/// `simd-bench kernels` measures. One element is one entry of `P`, so a run
/// covers `batch * count^2` elements.
///
/// The dense kernels need `2 * batch * count^2` floats (`P` and `dL/dP`); the
/// apply kernels need O(batch * count) (`P` is never stored).
final class KernelWorkload {
    let batch: Int
    let count: Int
    let power: Double
    private let dense: Bool
    private let scores: Floats
    private let centres: Floats
    private let matrix: Floats
    private let matrixGradient: Floats
    private let values: Floats
    private let output: Floats
    private let normalizers: Floats
    private let dots: Floats
    private let rowScratch: Floats
    private let rowScratch2: Floats
    private let rowScratch3: Floats
    /// The identity targets of the loss kernels, `count` columns.
    private let identity: [Int]

    /// Seeded scores in [-1, 1); `dense: false` skips the `B x n x n` buffers.
    init(batch: Int, count: Int, power: Double, dense: Bool, seed: UInt64 = 42) {
        self.batch = batch
        self.count = count
        self.power = power
        self.dense = dense
        var state = seed
        func next() -> Float {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Float(Double((z ^ (z >> 31)) >> 11) * 0x1p-53 * 2 - 1)
        }
        let rows = batch * count, matrixCount = dense ? batch * count * count : 0
        let scoreValues = (0..<rows).map { _ in next() }
        scores = Floats(scoreValues)
        centres = Floats((0..<batch).flatMap { b in scoreValues[b * count ..< (b + 1) * count].sorted(by: >) })
        matrix = Floats(count: matrixCount)
        matrixGradient = Floats((0..<matrixCount).map { _ in next() * 0.5 })
        values = Floats((0..<rows).map { _ in next() })
        output = Floats(count: rows)
        normalizers = Floats(count: rows)
        dots = Floats((0..<rows).map { _ in next() })
        rowScratch = Floats(count: count)
        rowScratch2 = Floats(count: count)
        rowScratch3 = Floats(count: count)
        identity = Array(0..<count)
    }

    /// The elements one run covers: `batch * count^2` entries of `P`.
    var elements: Int { batch * count * count }

    /// Fills what a backward kernel reads (runs the matching forward once).
    func prepare(_ kernel: KernelName, backend: Backend) {
        switch kernel {
        case .softSortBackward: run(.softSortForward, backend: backend)
        case .neuralSortBackward: run(.neuralSortForward, backend: backend)
        case .applyBackward: run(.applyForward, backend: backend)
        default: break
        }
    }

    /// One pass of `kernel` over the batch rows `batchRows` (default: all),
    /// on `backend`, one thread, with the given memory measures: non-temporal
    /// stores of `P` (avx2 forwards only; the row buffer they need is
    /// `rowScratch3`) and the apply's column tile (`0`: whole rows). Returns
    /// the backend that ran.
    @discardableResult
    func run(
        _ kernel: KernelName, backend: Backend, batchRows: Range<Int>? = nil, streamingStores: Bool = false,
        columnTile: Int = ApplyTiling.defaultColumnTile
    ) -> Backend {
        let n = count, distance = DistancePower(power)
        let kernels = Float.kernelSet.kernels(for: backend)
        let rows = kernels.dense, apply = kernels.apply
        let tileScratch = Floats(count: ApplyTiling.scratchCount(count: n, columnTile: columnTile))
        precondition(dense || !kernel.needsMatrices, "dense kernels need dense: true")
        let loss = Float.kernelSet.kernels(for: backend).loss
        let p = matrix.base, g = matrixGradient.base, v = values.base, y = output.base, z = normalizers.base
        let r1 = rowScratch.base, r2 = rowScratch2.base, r3 = rowScratch3.base, scratch = tileScratch.base
        let streamingBuffer = streamingStores ? r3 : nil
        identity.withUnsafeBufferPointer { identity in
        let t = identity.baseAddress!
        for b in batchRows ?? 0..<batch {
            let row = b * n, block = b * n * n
            let s = scores.base + row, c = centres.base + row
            switch kernel {
            case .softSortForward:
                rows.softSortForward(SoftSortRowJob(
                    scores: s, centres: c, matrix: p + block, count: n, temperature: 1, power: distance,
                    streamingBuffer: streamingBuffer), 0..<n)
            case .softSortBackward:
                r1.initialize(repeating: 0, count: n)
                rows.softSortBackward(SoftSortBackwardJob(
                    scores: s, centres: c, matrix: p + block, matrixGradient: g + block, columnGradient: r1,
                    centreGradient: r2, count: n, temperature: 1, power: distance), 0..<n)
            case .neuralSortForward:
                rows.columnSums(s, n, r1)
                rows.neuralSortForward(NeuralSortRowJob(
                    scores: s, columnSums: r1, matrix: p + block, count: n, temperature: 1, sign: 1,
                    streamingBuffer: streamingBuffer), 0..<n)
            case .neuralSortBackward:
                r1.initialize(repeating: 0, count: n)
                r2.initialize(repeating: 0, count: n)
                rows.neuralSortBackward(NeuralSortBackwardJob(
                    scores: s, matrix: p + block, matrixGradient: g + block, scoreGradient: r1,
                    columnSumGradient: r2, count: n, temperature: 1, sign: 1), 0..<n)
                rows.columnSumsBackward(s, n, r2, r1)
            case .applyForward:
                apply.forward(ApplyForwardJob(
                    scores: s, centres: c, values: v + row, output: y + row, normalizers: z + row, count: n,
                    dimension: 1, temperature: 1, power: distance, columnTile: columnTile, scratch: scratch), 0..<n)
            case .applyBackward:
                r1.initialize(repeating: 0, count: n)
                r2.initialize(repeating: 0, count: n)
                apply.backward(ApplyBackwardJob(
                    scores: s, centres: c, values: v + row, normalizers: z + row, outputDots: dots.base + row,
                    outputGradient: y + row, scoreGradient: r1, valueGradient: r2, centreGradient: r3, count: n,
                    dimension: 1, temperature: 1, power: distance, columnTile: columnTile, scratch: scratch), 0..<n)
            case .softSortLoss:
                r1.initialize(repeating: 0, count: n)
                _ = loss.softSortCrossEntropy(SoftSortLossJob(
                    scores: s, centres: c, targets: t, rowBuffer: r3, columnGradient: r1, centreGradient: r2,
                    count: n, temperature: 1, power: distance), 0..<n)
            case .neuralSortLoss:
                rows.columnSums(s, n, z + row)
                r1.initialize(repeating: 0, count: n)
                r2.initialize(repeating: 0, count: n)
                _ = loss.neuralSortCrossEntropy(NeuralSortLossJob(
                    scores: s, columnSums: z + row, targets: t, rowBuffer: r3, scoreGradient: r1,
                    columnSumGradient: r2, count: n, temperature: 1, sign: 1), 0..<n)
                rows.columnSumsBackward(s, n, r2, r1)
            }
        }
        }
        switch kernel {
        case .softSortLoss, .neuralSortLoss: return loss.backend
        case .applyForward, .applyBackward: return apply.backend
        default: return rows.backend
        }
    }
}

/// A heap buffer of `Float`s with a stable base address, freed with the object.
private final class Floats {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: count)
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        base.update(from: values, count: values.count)
    }

    deinit { base.deallocate() }
}
