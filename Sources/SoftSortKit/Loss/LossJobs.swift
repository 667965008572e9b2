/// The work of one fused-loss kernel call: one batch row's pointers and
/// parameters, over a range of rows of `P` (as `Kernels/RowJobs.swift`).
///
/// Each row of `P` is built in `rowBuffer` (`count` elements, private to the
/// calling thread, L1-resident up to `n` of a few thousand) and used at once
/// for the normaliser, the loss and the gradient: one `exp` per entry,
/// nothing of size `n^2` in memory. A call adds to its own accumulators
/// only, so disjoint row ranges never share a write (`@unchecked Sendable`).

/// The cross-entropy of SoftSort rows, `z_ij = -|c_i - s_j|^p / tau`:
///
///     loss_i               = |c_i - s_(t_i)|^p / tau + log Z_i     (returned, summed in Double)
///     g_ij                 = P_ij - [j = t_i]                      (dL/dz_ij)
///     columnGradient[j]   += sum_i g_ij d'(c_i - s_j) / tau
///     centreGradient[i]    = -sum_j g_ij d'(c_i - s_j) / tau
package struct SoftSortLossJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    /// The sorted scores `c`.
    package var centres: UnsafePointer<T>
    /// `t_i`, the column row `i` should pick, in `0 ..< count`.
    package var targets: UnsafePointer<Int>
    package var rowBuffer: UnsafeMutablePointer<T>
    /// Added to (never cleared): `count` elements private to the call.
    package var columnGradient: UnsafeMutablePointer<T>
    /// Entries of the call's rows are written.
    package var centreGradient: UnsafeMutablePointer<T>
    package var count: Int
    package var temperature: T
    package var power: DistancePower
}

/// The kNN loss rows of SoftSort: with `m_i = sum_j P_ij y_j` and the weight
/// `w = -1 / (B k)`,
///
///     returned             = sum_i m_i                  (in Double; the caller scales by w)
///     g_ij                 = w P_ij (y_j - m_i)         (dL/dz_ij)
///
/// and the gradients through the logits as in `SoftSortLossJob`.
package struct NearestNeighborLossJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    package var centres: UnsafePointer<T>
    /// `y_j`, the match indicators (any finite values).
    package var matches: UnsafePointer<T>
    package var rowBuffer: UnsafeMutablePointer<T>
    package var columnGradient: UnsafeMutablePointer<T>
    package var centreGradient: UnsafeMutablePointer<T>
    package var count: Int
    package var temperature: T
    package var power: DistancePower
    package var weight: T
}

/// The cross-entropy of NeuralSort rows,
/// `z_ij = (sign (n - 1 - 2 i) s_j - columnSums_j) / tau`, `g = P - onehot`:
///
///     loss_i                  = log sum_j exp(z_ij) - z_(i, t_i)   (max-shifted)
///     scoreGradient[j]       += sum_i g_ij sign (n - 1 - 2 i) / tau
///     columnSumGradient[j]   -= sum_i g_ij / tau
package struct NeuralSortLossJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    package var columnSums: UnsafePointer<T>
    package var targets: UnsafePointer<Int>
    package var rowBuffer: UnsafeMutablePointer<T>
    package var scoreGradient: UnsafeMutablePointer<T>
    package var columnSumGradient: UnsafeMutablePointer<T>
    package var count: Int
    package var temperature: T
    package var sign: T
}
