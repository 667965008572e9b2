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
/// counter-based generator keyed by `seed`, the batch row index and the
/// sample index: the same seed and the same row positions give the same
/// samples, whatever the thread count; moving a row to another position in
/// the batch changes its noise.
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
    ///
    /// - Parameters:
    ///   - base: the SoftSort (temperature, power, direction, backend, threads) of every sample.
    ///   - samplesPerRow: `k >= 1`.
    ///   - scoreKind: `.logScores` (default) or `.positive`.
    ///   - seed: the generator's seed.
    /// - Complexity: O(1).
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
    /// - Throws: `SoftSortError` as `SoftSort.forward`, `.invalidSampleCount`
    ///   for `samplesPerRow < 1`, `.nonPositiveScore` for a score `<= 0` with
    ///   `.positive`.
    /// - Complexity: O(B k n^2).
    public func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, mode: OutputMode = .soft
    ) throws(SoftSortError) -> StochasticPermutation<T> {
        guard samplesPerRow >= 1 else { throw .invalidSampleCount(samplesPerRow) }
        _ = try Validation.batch(scores, batch: batch, count: count, footprint: .matrices)
        let (rows, overflow) = batch.multipliedReportingOverflow(by: samplesPerRow)
        guard !overflow else { throw .shapeOverflow(batch: batch, count: count) }
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
            relaxed: relaxed, scores: scores, batch: batch, samplesPerRow: samplesPerRow, scoreKind: scoreKind)
    }
}
