/// The distance exponent `p` of `|x|^p`, with the two common cases singled out
/// so kernels can specialise them.
enum DistancePower: Sendable, Equatable {
    case one
    case two
    case general(Double)

    init(_ p: Double) {
        switch p {
        case 1: self = .one
        case 2: self = .two
        default: self = .general(p)
        }
    }
}

/// One batch row of a SoftSort forward: row `i` of `matrix` becomes
/// `softmax_j(-|centres[i] - scores[j]|^p / tau)`.
///
/// Every pointer is valid for the call; rows are `count` long and `matrix`
/// holds `count * count` elements. A kernel writes only the rows it is given.
struct SoftSortRowJob<T>: @unchecked Sendable {
    // @unchecked: plain pointers. Each kernel call writes only the rows of
    // `matrix` in its row range, so disjoint row ranges never share a write.
    var scores: UnsafePointer<T>
    var centres: UnsafePointer<T>
    var matrix: UnsafeMutablePointer<T>
    var count: Int
    var temperature: T
    var power: DistancePower
}

/// One batch row of a SoftSort backward over a range of rows:
///
///     D[i, j]          = P[i, j] * (G[i, j] - <G[i, :], P[i, :]>)
///     columnGradient[j] += sum_i D[i, j] d'(centres[i] - scores[j]) / tau
///     centreGradient[i]  = -sum_j D[i, j] d'(centres[i] - scores[j]) / tau
///
/// `columnGradient` is the caller's accumulator for this row range alone.
struct SoftSortBackwardJob<T>: @unchecked Sendable {
    // @unchecked: plain pointers; `columnGradient` is private to one call and
    // `centreGradient` is written only at the call's own rows.
    var scores: UnsafePointer<T>
    var centres: UnsafePointer<T>
    var matrix: UnsafePointer<T>
    var matrixGradient: UnsafePointer<T>
    var columnGradient: UnsafeMutablePointer<T>
    var centreGradient: UnsafeMutablePointer<T>
    var count: Int
    var temperature: T
    var power: DistancePower
}

/// One batch row of NeuralSort: row `i` of `matrix` becomes
/// `softmax_j((sign * (n + 1 - 2 (i + 1)) scores[j] - columnSums[j]) / tau)`,
/// `sign = +1` descending, `-1` ascending, `columnSums[j] = sum_k |s_j - s_k|`.
struct NeuralSortRowJob<T>: @unchecked Sendable {
    // @unchecked: as `SoftSortRowJob`.
    var scores: UnsafePointer<T>
    var columnSums: UnsafePointer<T>
    var matrix: UnsafeMutablePointer<T>
    var count: Int
    var temperature: T
    var sign: T
}

/// The NeuralSort backward over a range of rows, with `D` as for SoftSort:
///
///     scoreGradient[j]     += sum_i D[i, j] sign (n + 1 - 2 (i + 1)) / tau
///     columnSumGradient[j] -= sum_i D[i, j] / tau
///
/// Both accumulators are private to the call.
struct NeuralSortBackwardJob<T>: @unchecked Sendable {
    // @unchecked: as `SoftSortBackwardJob`.
    var scores: UnsafePointer<T>
    var matrix: UnsafePointer<T>
    var matrixGradient: UnsafePointer<T>
    var scoreGradient: UnsafeMutablePointer<T>
    var columnSumGradient: UnsafeMutablePointer<T>
    var count: Int
    var temperature: T
    var sign: T
}

/// The kernels of one backend for one element type.
///
/// Row kernels take a row range so a scheduler can split a batch row into
/// blocks; the column-sum kernels cover one whole batch row. This is the
/// seam where the AVX2 C kernels plug in.
public struct _RowKernels<T>: Sendable {
    /// The backend these kernels belong to.
    public let backend: Backend
    let softSortForward: @Sendable (SoftSortRowJob<T>, Range<Int>) -> Void
    let softSortBackward: @Sendable (SoftSortBackwardJob<T>, Range<Int>) -> Void
    let neuralSortForward: @Sendable (NeuralSortRowJob<T>, Range<Int>) -> Void
    let neuralSortBackward: @Sendable (NeuralSortBackwardJob<T>, Range<Int>) -> Void
    /// `sums[j] = sum_k |scores[j] - scores[k]|` for one batch row.
    let columnSums: @Sendable (_ scores: UnsafePointer<T>, _ count: Int, _ sums: UnsafeMutablePointer<T>) -> Void
    /// `gradient[j] += sum_k (g[j] + g[k]) sign(scores[j] - scores[k])`, the
    /// backward of `columnSums` given `g = dL/dsums`.
    let columnSumsBackward: @Sendable (
        _ scores: UnsafePointer<T>, _ count: Int,
        _ sumGradient: UnsafePointer<T>, _ gradient: UnsafeMutablePointer<T>
    ) -> Void
    /// Stable argsort of one batch row into `order`, and the scores in that
    /// order into `sorted`.
    let argsort: @Sendable (
        _ scores: UnsafePointer<T>, _ count: Int, _ direction: SortDirection,
        _ order: UnsafeMutablePointer<Int>, _ sorted: UnsafeMutablePointer<T>
    ) -> Void
    /// `target[j] += factor * source[j]` for `j < count`.
    let accumulate: @Sendable (
        _ target: UnsafeMutablePointer<T>, _ source: UnsafePointer<T>, _ factor: T, _ count: Int
    ) -> Void
    /// `output[i] = <matrix[i, :], vector>` for `rows` rows of `count` columns.
    let matrixVector: @Sendable (
        _ matrix: UnsafePointer<T>, _ vector: UnsafePointer<T>, _ rows: Int, _ count: Int,
        _ output: UnsafeMutablePointer<T>
    ) -> Void
}

extension _RowKernels where T: VectorScalar {
    /// The kernels of `backend` for `T`. `.avx2` gives `Float` the AVX2+FMA C
    /// kernels (where the CPU runs them); `Double` has none, so `.avx2` gives
    /// it the simd kernels, whose `backend` is `.simd`: results report what ran.
    static func make(_ backend: Backend) -> _RowKernels<T> {
        switch backend {
        case .scalar:
            return _RowKernels(
                backend: .scalar,
                softSortForward: ScalarKernels.softSortForward,
                softSortBackward: ScalarKernels.softSortBackward,
                neuralSortForward: ScalarKernels.neuralSortForward,
                neuralSortBackward: ScalarKernels.neuralSortBackward,
                columnSums: ScalarKernels.columnSums,
                columnSumsBackward: ScalarKernels.columnSumsBackward,
                argsort: SharedKernels.argsort,
                accumulate: SharedKernels.accumulate,
                matrixVector: SharedKernels.matrixVector)
        case .avx2:
            // Float on a CPU with AVX2+FMA: the C kernels (Backend/AVX2Kernels.swift).
            // Double has no C kernels: it runs the simd kernels and reports `.simd`.
            if let table = AVX2Kernels.rowTable(for: T.self) { return table }
            fallthrough
        case .simd:
            return _RowKernels(
                backend: .simd,
                softSortForward: SIMDKernels.softSortForward,
                softSortBackward: SIMDKernels.softSortBackward,
                neuralSortForward: SIMDKernels.neuralSortForward,
                neuralSortBackward: SIMDKernels.neuralSortBackward,
                columnSums: SIMDKernels.columnSums,
                columnSumsBackward: SIMDKernels.columnSumsBackward,
                argsort: SharedKernels.argsort,
                accumulate: SharedKernels.accumulate,
                matrixVector: SharedKernels.matrixVector)
        }
    }
}
