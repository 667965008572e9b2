/// The samples of a `StochasticSoftSort` forward and their backward.
public struct StochasticPermutation<T: SoftSortScalar>: Sendable {
    /// The relaxed permutations of the `B k` perturbed rows (sample `m` of row
    /// `b` at batch row `b * k + m`).
    public let relaxed: RelaxedPermutation<T>
    let scores: [T]
    /// The number of original score rows `B`.
    public let batch: Int
    /// `k`.
    public let samplesPerRow: Int
    let scoreKind: StochasticSoftSort.ScoreKind

    /// The perturbed scores, `B k x n`, laid out as `relaxed`.
    public var perturbedScores: [T] { relaxed.scores }

    /// `dL/ds` for the original `B x n` scores given `dL/dP` for all samples:
    /// each sample's gradient, summed over the samples of its row, times
    /// `1 / s` for `.positive` scores (the noise is a constant).
    ///
    /// - Parameter gradient: `dL/dP`, `B k x n x n`, laid out as `relaxed.matrices`.
    /// - Returns: `dL/ds`, `B x n`.
    /// - Throws: `SoftSortError.sizeMismatch` for a gradient of the wrong
    ///   size, `.nonFiniteInput` as `RelaxedPermutation.backward(_:)` (its
    ///   `row` is the sample's batch row `b * k + m`).
    /// - Complexity: O(B k n^2).
    public func backward(_ gradient: [T]) throws(SoftSortError) -> [T] {
        let perturbedGradient = try relaxed.backward(gradient)
        let n = relaxed.count
        var result = [T](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for m in 0..<samplesPerRow {
                for j in 0..<n { result[b * n + j] += perturbedGradient[(b * samplesPerRow + m) * n + j] }
            }
            if scoreKind == .positive {
                for j in 0..<n { result[b * n + j] /= scores[b * n + j] }
            }
        }
        return result
    }
}
