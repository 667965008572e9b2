/// NeuralSort rows whose logits do not fit in `T` (`3 n max|s| / tau` near
/// `T.greatestFiniteMagnitude`, e.g. Float scores near `1e38` at `tau = 1`).
///
/// NeuralSort's logits are invariant under the exact rescaling
/// (`ScoreScale`), so rescaling cannot bring them into range. These kernels
/// subtract the row's largest numerator `a_i s_j - c_j` before dividing by
/// `tau`: `(w_j - max w) / tau <= 0`, an `exp` of `-inf` is 0 and the row is
/// the limit the true softmax is numerically equal to. The `scalar` kernels
/// serve everything else (the backward multiplies by `P` before dividing by
/// `tau`, so an entry with `P = 0` contributes 0). Chosen only for such
/// inputs; the result reports `Backend.scalar`.
enum WideLogitKernels {
    @Sendable
    static func neuralSortForward<T: VectorScalar>(_ job: NeuralSortRowJob<T>, rows: Range<Int>) {
        let n = job.count
        for i in rows {
            let row = job.matrix + i * n
            let coefficient = job.sign * T(n - 1 - 2 * i)
            var largest = -T.infinity
            for j in 0..<n {
                row[j] = coefficient * job.scores[j] - job.columnSums[j]
                largest = max(largest, row[j])
            }
            var sum: T = 0
            for j in 0..<n {
                row[j] = T.libmExp((row[j] - largest) / job.temperature)
                sum += row[j]
            }
            for j in 0..<n { row[j] /= sum }
        }
    }

    /// Whether NeuralSort's logits, at most `3 n M / tau` in magnitude, may
    /// leave `T`'s range (with a factor 4 to spare).
    static func neuralSortMayOverflow<T: SoftSortScalar>(count: Int, largestMagnitude: T, temperature: T) -> Bool {
        3 * Double(count) * Double(largestMagnitude) / Double(temperature) > Double(T.greatestFiniteMagnitude) / 4
    }
}

extension DenseKernels where T: VectorScalar {
    /// The `scalar` kernels with `WideLogitKernels.neuralSortForward`.
    static func wideLogits() -> DenseKernels<T> {
        let scalar = DenseKernels<T>.scalar()
        return DenseKernels(
            backend: .scalar, coversGeneralPower: true, softSortForward: scalar.softSortForward,
            softSortBackward: scalar.softSortBackward, neuralSortForward: WideLogitKernels.neuralSortForward,
            neuralSortBackward: scalar.neuralSortBackward, columnSums: scalar.columnSums,
            columnSumsBackward: scalar.columnSumsBackward)
    }
}
