/// The fused-loss row kernels of one backend for one element type. Each
/// returns its rows' share of the loss in `Double`; the engine adds the
/// shares in a fixed order. This is the seam where the AVX2 C kernels plug
/// in (`LossAVX2Kernels.swift`).
package struct LossKernels<T>: Sendable {
    /// The backend whose code these kernels are.
    package let backend: Backend
    /// Whether the table runs every loss at every `p` (the C table: the
    /// SoftSort cross-entropy at `p = 1` and `p = 2` only; the rest runs `simd`).
    let coversEverything: Bool
    package let softSortCrossEntropy: @Sendable (SoftSortLossJob<T>, Range<Int>) -> Double
    package let nearestNeighbors: @Sendable (NearestNeighborLossJob<T>, Range<Int>) -> Double
    package let neuralSortCrossEntropy: @Sendable (NeuralSortLossJob<T>, Range<Int>) -> Double
    /// The SoftSort cross-entropy of rows up to `ShortRowLossKernels.maximumCount`
    /// long, lanes across batch rows (`ShortRowLossEngine`); `nil`: the
    /// backend has none (`scalar`, and `Double` everywhere), and the row kernels above run.
    package var shortRowCrossEntropy: (@Sendable (ShortRowLossJob<T>) -> Double)? = nil
}

extension LossKernels where T: VectorScalar {
    /// One element at a time, libm's `exp` (`ScalarLossKernels.swift`).
    static func scalar() -> LossKernels<T> {
        LossKernels(
            backend: .scalar, coversEverything: true,
            softSortCrossEntropy: ScalarLossKernels.softSortCrossEntropy,
            nearestNeighbors: ScalarLossKernels.nearestNeighbors,
            neuralSortCrossEntropy: ScalarLossKernels.neuralSortCrossEntropy)
    }

    /// Portable Swift SIMD (`SIMDLossKernels.swift`).
    static func simd() -> LossKernels<T> {
        LossKernels(
            backend: .simd, coversEverything: true,
            softSortCrossEntropy: SIMDLossKernels.softSortCrossEntropy,
            nearestNeighbors: SIMDLossKernels.nearestNeighbors,
            neuralSortCrossEntropy: SIMDLossKernels.neuralSortCrossEntropy,
            // Double's four lanes measured slower than its row kernels (2.5 against
            // 3.0 ms at B = 4096, n = 8, p = 2): Float only.
            shortRowCrossEntropy: T.self == Float.self ? ShortRowLossKernels.softSortCrossEntropy : nil)
    }
}
