/// The dense row kernels of one backend for one element type.
///
/// Row kernels take a row range so the scheduler can cut a batch row into
/// blocks; the column-sum kernels cover one whole batch row. This is the seam
/// where the AVX2 C kernels plug in (`DenseAVX2Kernels.swift`).
package struct DenseKernels<T>: Sendable {
    /// The backend whose code these kernels are.
    package let backend: Backend
    /// Whether the SoftSort kernels take any `p` (the C kernels: 1 and 2 only).
    let coversGeneralPower: Bool
    package let softSortForward: @Sendable (SoftSortRowJob<T>, Range<Int>) -> Void
    package let softSortBackward: @Sendable (SoftSortBackwardJob<T>, Range<Int>) -> Void
    package let neuralSortForward: @Sendable (NeuralSortRowJob<T>, Range<Int>) -> Void
    package let neuralSortBackward: @Sendable (NeuralSortBackwardJob<T>, Range<Int>) -> Void
    /// `sums[j] = sum_k |scores[j] - scores[k]|` for one batch row.
    package let columnSums: @Sendable (_ scores: UnsafePointer<T>, _ count: Int, _ sums: UnsafeMutablePointer<T>) -> Void
    /// `gradient[j] += sum_k (g[j] + g[k]) sign(scores[j] - scores[k])`, the
    /// backward of `columnSums` given `g = dL/dsums`.
    package let columnSumsBackward: @Sendable (
        _ scores: UnsafePointer<T>, _ count: Int, _ sumGradient: UnsafePointer<T>, _ gradient: UnsafeMutablePointer<T>
    ) -> Void
}

extension DenseKernels where T: VectorScalar {
    /// One element at a time, libm's `exp` (`Kernels/ScalarRowKernels.swift`).
    static func scalar() -> DenseKernels<T> {
        DenseKernels(
            backend: .scalar, coversGeneralPower: true,
            softSortForward: ScalarRowKernels.softSortForward,
            softSortBackward: ScalarRowKernels.softSortBackward,
            neuralSortForward: ScalarRowKernels.neuralSortForward,
            neuralSortBackward: ScalarRowKernels.neuralSortBackward,
            columnSums: ScalarRowKernels.columnSums,
            columnSumsBackward: ScalarRowKernels.columnSumsBackward)
    }

    /// Portable Swift SIMD (`Kernels/SIMDRowKernels.swift`).
    static func simd() -> DenseKernels<T> {
        DenseKernels(
            backend: .simd, coversGeneralPower: true,
            softSortForward: SIMDRowKernels.softSortForward,
            softSortBackward: SIMDRowKernels.softSortBackward,
            neuralSortForward: SIMDRowKernels.neuralSortForward,
            neuralSortBackward: SIMDRowKernels.neuralSortBackward,
            columnSums: SIMDRowKernels.columnSums,
            columnSumsBackward: SIMDRowKernels.columnSumsBackward)
    }
}
