import SoftSortKit

/// The kernels `simd-bench kernels` times, by their names in its JSON.
enum KernelName: String, CaseIterable, Sendable {
    case softSortForward = "softsort-forward"
    case softSortBackward = "softsort-backward"
    case neuralSortForward = "neuralsort-forward"
    case neuralSortBackward = "neuralsort-backward"
    case applyForward = "apply-forward"
    case applyBackward = "apply-backward"

    /// Whether the kernel takes the distance power `p` (NeuralSort does not).
    var usesPower: Bool {
        self != .neuralSortForward && self != .neuralSortBackward
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
    private var scores: [Float]
    private var centres: [Float]
    private var matrix: [Float]
    private var matrixGradient: [Float]
    private var values: [Float]
    private var output: [Float]
    private var normalizers: [Float]
    private var dots: [Float]
    private var rowScratch: [Float]
    private var rowScratch2: [Float]
    private var rowScratch3: [Float]

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
        scores = (0..<batch * count).map { _ in next() }
        centres = []
        for b in 0..<batch { centres += scores[b * count ..< (b + 1) * count].sorted(by: >) }
        let matrixCount = dense ? batch * count * count : 0
        matrix = [Float](repeating: 0, count: matrixCount)
        matrixGradient = (0..<matrixCount).map { _ in next() * 0.5 }
        values = (0..<batch * count).map { _ in next() }
        output = [Float](repeating: 0, count: batch * count)
        normalizers = [Float](repeating: 0, count: batch * count)
        dots = (0..<batch * count).map { _ in next() }
        rowScratch = [Float](repeating: 0, count: count)
        rowScratch2 = [Float](repeating: 0, count: count)
        rowScratch3 = [Float](repeating: 0, count: count)
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
        var tileScratch = [Float](repeating: 0, count: ApplyTiling.scratchCount(count: n, columnTile: columnTile))
        precondition(dense || !(kernel == .softSortForward || kernel == .softSortBackward
            || kernel == .neuralSortForward || kernel == .neuralSortBackward), "dense kernels need dense: true")
        scores.withUnsafeBufferPointer { s in
        centres.withUnsafeBufferPointer { c in
        matrix.withUnsafeMutableBufferPointer { p in
        matrixGradient.withUnsafeBufferPointer { g in
        values.withUnsafeMutableBufferPointer { v in
        output.withUnsafeMutableBufferPointer { y in
        normalizers.withUnsafeMutableBufferPointer { z in
        dots.withUnsafeBufferPointer { dots in
        rowScratch.withUnsafeMutableBufferPointer { r1 in
        rowScratch2.withUnsafeMutableBufferPointer { r2 in
        rowScratch3.withUnsafeMutableBufferPointer { r3 in
        tileScratch.withUnsafeMutableBufferPointer { scratch in
            for b in batchRows ?? 0..<batch {
                let row = b * n, block = b * n * n
                let s = s.baseAddress! + row, c = c.baseAddress! + row
                switch kernel {
                case .softSortForward:
                    rows.softSortForward(SoftSortRowJob(
                        scores: s, centres: c, matrix: p.baseAddress! + block, count: n,
                        temperature: 1, power: distance, streamingBuffer: streamingStores ? r3.baseAddress! : nil), 0..<n)
                case .softSortBackward:
                    r1.initialize(repeating: 0)
                    rows.softSortBackward(SoftSortBackwardJob(
                        scores: s, centres: c, matrix: p.baseAddress! + block, matrixGradient: g.baseAddress! + block,
                        columnGradient: r1.baseAddress!, centreGradient: r2.baseAddress!, count: n,
                        temperature: 1, power: distance), 0..<n)
                case .neuralSortForward:
                    rows.columnSums(s, n, r1.baseAddress!)
                    rows.neuralSortForward(NeuralSortRowJob(
                        scores: s, columnSums: r1.baseAddress!, matrix: p.baseAddress! + block, count: n,
                        temperature: 1, sign: 1, streamingBuffer: streamingStores ? r3.baseAddress! : nil), 0..<n)
                case .neuralSortBackward:
                    r1.initialize(repeating: 0)
                    r2.initialize(repeating: 0)
                    rows.neuralSortBackward(NeuralSortBackwardJob(
                        scores: s, matrix: p.baseAddress! + block, matrixGradient: g.baseAddress! + block,
                        scoreGradient: r1.baseAddress!, columnSumGradient: r2.baseAddress!, count: n,
                        temperature: 1, sign: 1), 0..<n)
                    rows.columnSumsBackward(s, n, r2.baseAddress!, r1.baseAddress!)
                case .applyForward:
                    apply.forward(ApplyForwardJob(
                        scores: s, centres: c, values: v.baseAddress! + row, output: y.baseAddress! + row,
                        normalizers: z.baseAddress! + row, count: n, dimension: 1, temperature: 1,
                        power: distance, columnTile: columnTile,
                        scratch: scratch.baseAddress!), 0..<n)
                case .applyBackward:
                    r1.initialize(repeating: 0)
                    r2.initialize(repeating: 0)
                    apply.backward(ApplyBackwardJob(
                        scores: s, centres: c, values: v.baseAddress! + row, normalizers: z.baseAddress! + row,
                        outputDots: dots.baseAddress! + row, outputGradient: y.baseAddress! + row,
                        scoreGradient: r1.baseAddress!, valueGradient: r2.baseAddress!,
                        centreGradient: r3.baseAddress!,
                        count: n, dimension: 1, temperature: 1, power: distance,
                        columnTile: columnTile, scratch: scratch.baseAddress!), 0..<n)
                }
            }
        }}}}}}}}}}}}
        switch kernel {
        case .applyForward, .applyBackward: return apply.backend
        default: return rows.backend
        }
    }
}
