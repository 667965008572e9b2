/// The work of one row-kernel call: one batch row's pointers and parameters.
///
/// A kernel covers the rows of the range it is given, so the scheduler can
/// cut a batch row into blocks. Every pointer is valid for the call; rows are
/// `count` long and a matrix holds `count * count` elements. A kernel writes
/// only the rows of its range and the accumulators private to the call, so
/// disjoint row ranges never share a write (hence `@unchecked Sendable`).

/// One batch row of a SoftSort forward: row `i` of `matrix` becomes
/// `softmax_j(-|centres[i] - scores[j]|^p / tau)`.
package struct SoftSortRowJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    package var centres: UnsafePointer<T>
    package var matrix: UnsafeMutablePointer<T>
    package var count: Int
    package var temperature: T
    package var power: DistancePower
    /// Non-`nil`: the C kernels write `matrix` with non-temporal stores,
    /// building each row first in this buffer of `count` elements private to
    /// the call (`csimd_f32_softsort_fwd_scratch_count`); the values are the
    /// same either way. The library passes `nil`, plain stores (measured: no
    /// gain); `simd-bench kernels --compare` times both. The Swift kernels
    /// ignore it.
    package var streamingBuffer: UnsafeMutablePointer<T>?

    package init(
        scores: UnsafePointer<T>, centres: UnsafePointer<T>, matrix: UnsafeMutablePointer<T>, count: Int,
        temperature: T, power: DistancePower, streamingBuffer: UnsafeMutablePointer<T>? = nil
    ) {
        self.scores = scores
        self.centres = centres
        self.matrix = matrix
        self.count = count
        self.temperature = temperature
        self.power = power
        self.streamingBuffer = streamingBuffer
    }
}

/// One batch row of a SoftSort backward over a range of rows:
///
///     D[i, j]          = P[i, j] * (G[i, j] - <G[i, :], P[i, :]>)
///     columnGradient[j] += sum_i D[i, j] d'(centres[i] - scores[j]) / tau
///     centreGradient[i]  = -sum_j D[i, j] d'(centres[i] - scores[j]) / tau
///
/// `columnGradient` is the caller's accumulator for this row range alone.
package struct SoftSortBackwardJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    package var centres: UnsafePointer<T>
    package var matrix: UnsafePointer<T>
    package var matrixGradient: UnsafePointer<T>
    package var columnGradient: UnsafeMutablePointer<T>
    package var centreGradient: UnsafeMutablePointer<T>
    package var count: Int
    package var temperature: T
    package var power: DistancePower

    package init(
        scores: UnsafePointer<T>, centres: UnsafePointer<T>, matrix: UnsafePointer<T>,
        matrixGradient: UnsafePointer<T>, columnGradient: UnsafeMutablePointer<T>,
        centreGradient: UnsafeMutablePointer<T>, count: Int, temperature: T, power: DistancePower
    ) {
        self.scores = scores
        self.centres = centres
        self.matrix = matrix
        self.matrixGradient = matrixGradient
        self.columnGradient = columnGradient
        self.centreGradient = centreGradient
        self.count = count
        self.temperature = temperature
        self.power = power
    }
}

/// One batch row of NeuralSort: row `i` of `matrix` becomes
/// `softmax_j((sign * (n + 1 - 2 (i + 1)) scores[j] - columnSums[j]) / tau)`,
/// `sign = +1` descending, `-1` ascending, `columnSums[j] = sum_k |s_j - s_k|`.
package struct NeuralSortRowJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    package var columnSums: UnsafePointer<T>
    package var matrix: UnsafeMutablePointer<T>
    package var count: Int
    package var temperature: T
    package var sign: T
    /// As `SoftSortRowJob.streamingBuffer` (`count` elements,
    /// `csimd_f32_neuralsort_fwd_scratch_count`).
    package var streamingBuffer: UnsafeMutablePointer<T>?

    package init(
        scores: UnsafePointer<T>, columnSums: UnsafePointer<T>, matrix: UnsafeMutablePointer<T>, count: Int,
        temperature: T, sign: T, streamingBuffer: UnsafeMutablePointer<T>? = nil
    ) {
        self.scores = scores
        self.columnSums = columnSums
        self.matrix = matrix
        self.count = count
        self.temperature = temperature
        self.sign = sign
        self.streamingBuffer = streamingBuffer
    }
}

/// The NeuralSort backward over a range of rows, with `D` as for SoftSort:
///
///     scoreGradient[j]     += sum_i D[i, j] sign (n + 1 - 2 (i + 1)) / tau
///     columnSumGradient[j] -= sum_i D[i, j] / tau
///
/// Both accumulators are private to the call.
package struct NeuralSortBackwardJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    package var matrix: UnsafePointer<T>
    package var matrixGradient: UnsafePointer<T>
    package var scoreGradient: UnsafeMutablePointer<T>
    package var columnSumGradient: UnsafeMutablePointer<T>
    package var count: Int
    package var temperature: T
    package var sign: T

    package init(
        scores: UnsafePointer<T>, matrix: UnsafePointer<T>, matrixGradient: UnsafePointer<T>,
        scoreGradient: UnsafeMutablePointer<T>, columnSumGradient: UnsafeMutablePointer<T>, count: Int,
        temperature: T, sign: T
    ) {
        self.scores = scores
        self.matrix = matrix
        self.matrixGradient = matrixGradient
        self.scoreGradient = scoreGradient
        self.columnSumGradient = columnSumGradient
        self.count = count
        self.temperature = temperature
        self.sign = sign
    }
}
