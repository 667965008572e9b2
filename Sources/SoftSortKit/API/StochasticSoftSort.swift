#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Stochastic SoftSort: relaxed samples of the Plackett-Luce distribution
/// (the paper's section 5.1). Each score row is perturbed with i.i.d.
/// Gumbel(0, 1) noise `g`, `k` times,
///
///     s~ = s + g          (`ScoreKind.logScores`: the scores are log-scores)
///     s~ = log(s) + g     (`ScoreKind.positive`: the scores are positive weights)
///
/// and SoftSort is applied to each perturbed row. The noise comes from a
/// counter-based generator keyed by `seed`, the row and the sample: the same
/// seed gives the same samples, whatever the batch layout.
public struct StochasticSoftSort: Sendable, Hashable {
    /// How the scores enter the Plackett-Luce model.
    public enum ScoreKind: Sendable, Hashable {
        /// Scores are log-scores: perturb `s + g`.
        case logScores
        /// Scores are positive weights: perturb `log(s) + g`.
        case positive
    }

    /// The SoftSort applied to each perturbed row.
    public var base: SoftSort
    /// `k >= 1` samples per score row.
    public var samplesPerRow: Int
    /// How to read the scores.
    public var scoreKind: ScoreKind
    /// The generator's seed.
    public var seed: UInt64

    /// Creates a stochastic SoftSort. The parameters are checked when it runs.
    public init(base: SoftSort = SoftSort(), samplesPerRow: Int = 1, scoreKind: ScoreKind = .logScores, seed: UInt64 = 0) {
        self.base = base
        self.samplesPerRow = samplesPerRow
        self.scoreKind = scoreKind
        self.seed = seed
    }

    /// Draws `samplesPerRow` relaxed permutations per score row.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores (positive when `scoreKind` is `.positive`).
    ///   - batch: the number of rows `B`.
    ///   - count: the row length `n`.
    ///   - mode: `.soft` or `.straightThrough`.
    /// - Returns: `B k` relaxed permutations, sample `m` of row `b` at batch
    ///   row `b * k + m`, with the perturbed scores and the backward.
    /// - Throws: `SoftSortError` as `SoftSort.forward`, `invalidDimension`
    ///   for `samplesPerRow < 1`, `nonPositiveScore` for a score `<= 0` with
    ///   `.positive`.
    /// - Complexity: O(B k n^2).
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, mode: OutputMode = .soft
    ) throws(SoftSortError) -> StochasticPermutation<T> {
        guard samplesPerRow >= 1 else { throw .invalidDimension(argument: "samplesPerRow", value: samplesPerRow) }
        try Validation.scores(scores, batch: batch, count: count)
        let (rows, overflow) = batch.multipliedReportingOverflow(by: samplesPerRow)
        guard !overflow else { throw .shapeOverflow(batch: batch, count: count) }
        _ = try Validation.matrixElementCount(batch: rows, count: count)
        if scoreKind == .positive, let bad = Validation.firstIndex(in: scores, where: { $0 <= 0 }) {
            throw .nonPositiveScore(row: bad / count, column: bad % count)
        }
        let noise = GumbelNoise(seed: seed)
        var perturbed = [T](repeating: 0, count: rows * count)
        for b in 0..<batch {
            for m in 0..<samplesPerRow {
                let base = (b * samplesPerRow + m) * count
                noise.fill(row: b, sample: m, count: count) { j, g in
                    let s = Double(scores[b * count + j])
                    perturbed[base + j] = T((scoreKind == .positive ? log(s) : s) + g)
                }
            }
        }
        let relaxed = try self.base.forward(scores: perturbed, batch: rows, count: count, mode: mode)
        return StochasticPermutation(
            relaxed: relaxed, scores: scores, perturbedScores: perturbed, batch: batch,
            samplesPerRow: samplesPerRow, scoreKind: scoreKind)
    }
}

/// The samples of a `StochasticSoftSort` forward and their backward.
public struct StochasticPermutation<T: SoftSortScalar>: Sendable {
    /// The relaxed permutations of the `B k` perturbed rows (sample `m` of row
    /// `b` at batch row `b * k + m`).
    public let relaxed: RelaxedPermutation<T>
    let scores: [T]
    /// The perturbed scores, `B k x n`, laid out as `relaxed`.
    public let perturbedScores: [T]
    /// The number of original score rows `B`.
    public let batch: Int
    /// `k`.
    public let samplesPerRow: Int
    let scoreKind: StochasticSoftSort.ScoreKind

    /// `dL/ds` for the original `B x n` scores given `dL/dP` for all samples:
    /// each sample's gradient, summed over the samples of its row, times
    /// `1 / s` for `.positive` scores (the noise is a constant).
    ///
    /// - Parameter gradient: `dL/dP`, `B k x n x n`, laid out as `relaxed.matrices`.
    /// - Returns: `dL/ds`, `B x n`.
    /// - Throws: `SoftSortError.sizeMismatch` for a gradient of the wrong size.
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
