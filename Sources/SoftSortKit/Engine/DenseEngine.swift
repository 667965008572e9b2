/// Which relaxation a dense forward computed, with its parameters in the
/// element type.
enum RelaxationMethod<T: SoftSortScalar>: Sendable {
    case softSort(temperature: T, power: DistancePower, direction: SortDirection)
    case neuralSort(temperature: T, direction: SortDirection)

    var direction: SortDirection {
        switch self {
        case .softSort(_, _, let direction), .neuralSort(_, let direction): return direction
        }
    }
}

/// The dense `B x n x n` path: argsort each batch row, run the row kernels
/// over every row, and for the backward combine column and centre gradients.
enum DenseEngine {
    static func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count n: Int,
        method: RelaxationMethod<T>, mode: OutputMode, kernels: _RowKernels<T>
    ) -> RelaxedPermutation<T> {
        let matrixSize = n * n
        var order = [Int](repeating: 0, count: batch * n)
        var sorted = [T](repeating: 0, count: batch * n)
        var matrices = [T]()
        if batch * n > 0 {
            scores.withUnsafeBufferPointer { s in
                order.withUnsafeMutableBufferPointer { order in
                    sorted.withUnsafeMutableBufferPointer { sorted in
                        for b in 0..<batch {
                            kernels.argsort(
                                s.baseAddress! + b * n, n, method.direction,
                                order.baseAddress! + b * n, sorted.baseAddress! + b * n)
                        }
                        matrices = [T](unsafeUninitializedCapacity: batch * matrixSize) { out, initialized in
                            computeMatrices(
                                scores: s.baseAddress!, sorted: UnsafePointer(sorted.baseAddress!),
                                matrices: out.baseAddress!, batch: batch, count: n,
                                method: method, kernels: kernels)
                            initialized = batch * matrixSize
                        }
                    }
                }
            }
        }
        let output = mode == .soft ? matrices : permutationMatrices(order, batch: batch, count: n)
        return RelaxedPermutation(
            batch: batch, count: n, matrices: output, permutation: order, backend: kernels.backend,
            mode: mode, method: method, scores: scores, sortedScores: sorted, softMatrices: matrices,
            kernels: kernels)
    }

    private static func computeMatrices<T: SoftSortScalar>(
        scores: UnsafePointer<T>, sorted: UnsafePointer<T>, matrices: UnsafeMutablePointer<T>,
        batch: Int, count n: Int, method: RelaxationMethod<T>, kernels: _RowKernels<T>
    ) {
        switch method {
        case .softSort(let temperature, let power, _):
            for b in 0..<batch {
                let job = SoftSortRowJob(
                    scores: scores + b * n, centres: sorted + b * n, matrix: matrices + b * n * n,
                    count: n, temperature: temperature, power: power)
                kernels.softSortForward(job, 0..<n)
            }
        case .neuralSort(let temperature, let direction):
            let columnSums = UnsafeMutablePointer<T>.allocate(capacity: n)
            defer { columnSums.deallocate() }
            for b in 0..<batch {
                kernels.columnSums(scores + b * n, n, columnSums)
                let job = NeuralSortRowJob(
                    scores: scores + b * n, columnSums: columnSums, matrix: matrices + b * n * n,
                    count: n, temperature: temperature, sign: direction == .descending ? 1 : -1)
                kernels.neuralSortForward(job, 0..<n)
            }
        }
    }

    /// One-hot rows: row `i` of batch row `b` has its 1 at `order[b * n + i]`.
    static func permutationMatrices<T: SoftSortScalar>(_ order: [Int], batch: Int, count n: Int) -> [T] {
        [T](unsafeUninitializedCapacity: batch * n * n) { out, initialized in
            UnsafeMutableRawBufferPointer(out).initializeMemory(as: UInt8.self, repeating: 0)  // 0.0 is all-zero bits
            for b in 0..<batch {
                for i in 0..<n { out[(b * n + i) * n + order[b * n + i]] = 1 }
            }
            initialized = batch * n * n
        }
    }

    /// `dL/ds` given `dL/dP` (through the soft matrices, whatever the mode).
    static func backward<T: SoftSortScalar>(_ state: RelaxedPermutation<T>, matrixGradient: [T]) -> [T] {
        let batch = state.batch, n = state.count, kernels = state.kernels
        var gradient = [T](repeating: 0, count: batch * n)
        guard batch * n > 0 else { return gradient }
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: n)
        defer { scratch.deallocate() }
        state.scores.withUnsafeBufferPointer { s in
        state.softMatrices.withUnsafeBufferPointer { p in
        matrixGradient.withUnsafeBufferPointer { g in
        state.sortedScores.withUnsafeBufferPointer { sorted in
        gradient.withUnsafeMutableBufferPointer { out in
            let s = s.baseAddress!, p = p.baseAddress!, g = g.baseAddress!
            let sorted = sorted.baseAddress!, out = out.baseAddress!
            for b in 0..<batch {
                let row = b * n, block = b * n * n
                scratch.initialize(repeating: 0, count: n)
                switch state.method {
                case .softSort(let temperature, let power, _):
                    let job = SoftSortBackwardJob(
                        scores: s + row, centres: sorted + row, matrix: p + block, matrixGradient: g + block,
                        columnGradient: out + row, centreGradient: scratch, count: n,
                        temperature: temperature, power: power)
                    kernels.softSortBackward(job, 0..<n)
                    // The centres are the scores permuted: route their gradient back.
                    for i in 0..<n { out[row + state.permutation[row + i]] += scratch[i] }
                case .neuralSort(let temperature, let direction):
                    let job = NeuralSortBackwardJob(
                        scores: s + row, matrix: p + block, matrixGradient: g + block,
                        scoreGradient: out + row, columnSumGradient: scratch, count: n,
                        temperature: temperature, sign: direction == .descending ? 1 : -1)
                    kernels.neuralSortBackward(job, 0..<n)
                    kernels.columnSumsBackward(s + row, n, scratch, out + row)
                }
            }
        }}}}}
        return gradient
    }
}
