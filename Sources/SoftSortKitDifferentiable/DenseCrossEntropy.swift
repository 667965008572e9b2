import SoftSortKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The cross-entropy of dense relaxed permutations against targets, for the
/// wrappers' dense path:
///
///     L = -sum_(b, i) log P[b, i, t[b, i]]
///
/// Row `i`'s largest logit is at its own sorted column `perm_i` (SoftSort:
/// the logit there is exactly 0; NeuralSort: its row argmax is the sort), so
/// `P[i, perm_i] >= 1 / n` never underflows and
///
///     log P[i, t] = z[i, t] - z[i, perm_i] + log P[i, perm_i]
///
/// is finite whatever the scores. The gradient goes through the library's
/// dense backward with `dL/dP[i, t] = -1 / P[i, t]`, which needs `1 / P[i, t]`
/// finite in `T`: a target entry that underflowed stops the program (use
/// `Double`, or the exact path for SoftSort with `p = 1`).
struct DenseCrossEntropy<T: DifferentiableSortScalar> {
    /// The logit `z[i, j]` of sorted row `i` (whose own column is `perm_i`)
    /// and column `j` of one batch row, from the row's scores.
    typealias Logit = (_ row: ArraySlice<T>, _ i: Int, _ ownColumn: Int, _ column: Int) -> Double

    /// The loss alone (no gradient, so no condition on underflow).
    static func value(_ relaxed: RelaxedPermutation<T>, scores: [T], targets: [Int], logit: Logit) -> T {
        T(lossAndUpstream(relaxed, scores: scores, targets: targets, logit: logit, upstream: false).loss)
    }

    /// The loss and `dL/ds`.
    static func valueAndGradient(
        _ relaxed: RelaxedPermutation<T>, scores: [T], targets: [Int], logit: Logit
    ) -> (value: T, gradient: [T]) {
        let (loss, upstream) = lossAndUpstream(relaxed, scores: scores, targets: targets, logit: logit)
        let gradient = unwrap { () throws(SoftSortError) in try relaxed.backward(upstream) }
        return (T(loss), gradient)
    }

    /// The loss (in `Double`) and, when `upstream`, `dL/dP` for a caller that
    /// runs its own backward. `scores` are the scores `relaxed` was computed from.
    static func lossAndUpstream(
        _ relaxed: RelaxedPermutation<T>, scores: [T], targets: [Int], logit: Logit, upstream wanted: Bool = true
    ) -> (loss: Double, upstream: [T]) {
        let batch = relaxed.batch, n = relaxed.count
        precondition(targets.count == batch * n, "targets: \(targets.count) entries for \(batch * n) rows")
        let matrices = relaxed.matrices, permutation = relaxed.permutation
        var upstream = [T](repeating: 0, count: wanted ? batch * n * n : 0)
        var loss = 0.0
        for b in 0..<batch {
            let row = scores[b * n ..< (b + 1) * n]
            for i in 0..<n {
                let t = targets[b * n + i]
                precondition(t >= 0 && t < n, "targets[\(b * n + i)] = \(t) is outside 0 ..< \(n)")
                let own = permutation[b * n + i]
                let entry = (b * n + i) * n
                let p = matrices[entry + t]
                let logP = p >= T.leastNormalMagnitude
                    ? log(Double(p))
                    : logit(row, i, own, t) - logit(row, i, own, own) + log(Double(matrices[entry + own]))
                loss -= logP
                guard wanted else { continue }
                let g = -1 / p
                precondition(
                    g.isFinite,
                    "P[\(b), \(i), \(t)] = \(p) underflows in \(T.self): use Double or the exact path")
                upstream[entry + t] = g
            }
        }
        return (loss, upstream)
    }

    /// SoftSort's logit `-|x_i - s_j|^p / tau`, `x_i = s[perm_i]`.
    static func softSortLogit(temperature: Double, power: Double) -> Logit {
        { row, _, own, j in
            let d = abs(Double(row[row.startIndex + own]) - Double(row[row.startIndex + j]))
            return -(power == 1 ? d : pow(d, power)) / temperature
        }
    }

    /// NeuralSort's logit `((n + 1 - 2 (i + 1)) s_j - sum_k |s_j - s_k|) / tau`
    /// (`s` negated for ascending; `sum_k |s_j - s_k|` is the same for both).
    static func neuralSortLogit(temperature: Double, direction: SortDirection) -> Logit {
        { row, i, _, j in
            let n = row.count
            let sign = direction == .descending ? 1.0 : -1.0
            let first = row.startIndex
            let sj = Double(row[first + j])
            var c = 0.0
            for k in 0..<n { c += abs(sj - Double(row[first + k])) }
            return (Double(n + 1 - 2 * (i + 1)) * sign * sj - c) / temperature
        }
    }
}
