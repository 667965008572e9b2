import SoftSortKit

/// Spearman's rank correlation for tie-free rankings (the DocC article `Definitions`):
///
///     rho = 1 - 6 sum_i (rank_a[i] - rank_b[i])^2 / (n (n^2 - 1))
enum Spearman {
    /// Rho of each row's descending ranking against the identity order
    /// (position `j` should hold the `j`-th largest value): 1 when the row is
    /// sorted descending, -1 when it is sorted ascending. Ties rank by index.
    ///
    /// - Parameters:
    ///   - values: `batch x count`, row-major.
    ///   - batch: the number of rows.
    ///   - count: the row length `n`.
    /// - Returns: `batch` correlations; 1 for rows with `n <= 1`.
    /// - Throws: `SoftSortError` when a value is not finite.
    /// - Complexity: O(batch * count log count).
    static func againstDescending(_ values: [Float], batch: Int, count n: Int) throws -> [Double] {
        let order = try argsort(values, batch: batch, count: n, direction: .descending)
        guard n > 1 else { return [Double](repeating: 1, count: batch) }
        let denominator = Double(n) * (Double(n) * Double(n) - 1)
        return (0..<batch).map { b in
            // order[b n + k] = the column holding the k-th largest; its rank is k, its target j.
            var squares = 0.0
            for k in 0..<n {
                let d = Double(k - order[b * n + k])
                squares += d * d
            }
            return 1 - 6 * squares / denominator
        }
    }
}
