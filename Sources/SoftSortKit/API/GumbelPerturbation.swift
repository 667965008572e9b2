/// The stochastic SoftSort of the paper (section 4.3, after Grover et al.):
/// each row's scores perturbed by Gumbel noise, `samplesPerRow` times, before
/// the relaxation. An option of `SoftSort`, not an operator of its own.
///
/// With `ScoreKind.logScores` the scores are `log s` and each sample is
/// `scores + g`; with `.positive` they are `s > 0` and each sample is
/// `log s + g`. `g` is Gumbel(0, 1), drawn from a counter-based stream of
/// (seed, row, sample, column), so results do not depend on the batch layout
/// or the thread count. Outputs have `batch * samplesPerRow` rows (sample `m`
/// of row `b` is row `b * samplesPerRow + m`); every backward sums the samples'
/// score gradients back onto their row (and divides by `s` for `.positive`).
public struct GumbelPerturbation: Sendable, Hashable {
    /// What the scores are.
    public enum ScoreKind: Sendable, Hashable {
        /// Log-scores `log s`: any finite values.
        case logScores
        /// Positive scores `s > 0`, perturbed as `log s + g`.
        case positive
    }

    /// Samples drawn per row, `>= 1`.
    public var samplesPerRow: Int
    /// How the scores are read.
    public var scoreKind: ScoreKind
    /// The noise stream's seed.
    public var seed: UInt64

    /// Creates a perturbation. The parameters are checked when the operator runs.
    ///
    /// - Parameters:
    ///   - samplesPerRow: `>= 1`.
    ///   - scoreKind: `.logScores` (default) or `.positive`.
    ///   - seed: the noise stream's seed.
    /// - Complexity: O(1).
    public init(samplesPerRow: Int = 1, scoreKind: ScoreKind = .logScores, seed: UInt64 = 0) {
        self.samplesPerRow = samplesPerRow
        self.scoreKind = scoreKind
        self.seed = seed
    }
}
