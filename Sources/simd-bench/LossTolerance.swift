import Foundation

/// The bounds `simd-bench verify` holds a loss case's `L` and `dL/ds` to, as
/// a max |a - b|, built as `Tolerance` builds those of the matrix cases,
/// from the Double logits of one case, batch row by batch row:
///
/// - `scale`: the size of what each output sums, term by term: for `L` the
///   sum over rows of `|z_(i, t_i)| + |log Z_i|` (NeuralSort: plus the row's
///   max-shift `|max_j z_ij|`), for `grad` the sum of `|dL/dz_ij|` times the
///   size of `dz_ij / ds` over every term reaching `dL/ds_j` (the centre's
///   share too; NeuralSort: through `A 1` as well). Double is held to a
///   relative 1e-9 of it.
/// - `floatError`: a first-order bound on Float rounding, `u = 2^-24`: each
///   logit is off by at most `dz = u (6 |z| + 2n + 8)` (NeuralSort: `u (6 |a|
///   + n c_j / tau + 2n + 8)`), so `|dP_ij| <= P_ij (dz_ij + sum_k P_ik dz_ik)
///   + 2^-95` (the flush), and `L` gains `dz_it + sum_k P_ik dz_ik` per row;
///   the gradient gains `dP` and `4 u |dL/dz|` through each term, plus `2 u n`
///   of its scale. Float is held to 4 times it.
struct LossTolerance {
    var scale: [String: Double] = ["L": 0, "grad": 0]
    var floatError: [String: Double] = ["L": 0, "grad": 0]

    var double: [String: Double] { scale.mapValues { $0 * Tolerance.doubleRelativeTolerance } }
    var float: [String: Double] { floatError.mapValues { $0 * Tolerance.floatSafetyFactor } }

    init(scores: [Double], targets: [Int], batch: Int, count n: Int, temperature tau: Double, power: Double?) {
        let u = 0x1p-24, rounding = u * Double(2 * n + 8), underflow = 0x1p-95
        var z = [Double](repeating: 0, count: n), dz = [Double](repeating: 0, count: n)
        for b in 0..<batch {
            let s = Array(scores[b * n ..< (b + 1) * n])
            let order = s.indices.sorted { s[$0] != s[$1] ? s[$0] > s[$1] : $0 < $1 }
            let columnSums = power == nil ? s.map { sj in s.reduce(0) { $0 + abs(sj - $1) } } : []
            var gradScale = [Double](repeating: 0, count: n), gradError = [Double](repeating: 0, count: n)
            var sumScale = [Double](repeating: 0, count: n), sumError = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let t = targets[b * n + i], coefficient = Double(n - 1 - 2 * i)
                for j in 0..<n {
                    if let power {
                        let d = pow(abs(s[order[i]] - s[j]), power) / tau
                        z[j] = -d
                        dz[j] = u * 6 * d + rounding
                    } else {
                        z[j] = (coefficient * s[j] - columnSums[j]) / tau
                        dz[j] = u * (6 * (abs(coefficient * s[j]) + columnSums[j]) / tau
                                     + Double(n) * columnSums[j] / tau) + rounding
                    }
                }
                let largest = z.max() ?? 0
                var total = 0.0
                for j in 0..<n { total += exp(z[j] - largest) }
                var spread = 0.0
                for j in 0..<n { spread += exp(z[j] - largest) / total * dz[j] }
                scale["L"]! += abs(z[t]) + abs(log(total)) + (power == nil ? abs(largest) : 0)
                floatError["L"]! += dz[t] + spread + u * (abs(z[t]) + abs(log(total)) + abs(largest))
                for j in 0..<n {
                    let p = exp(z[j] - largest) / total
                    let g = abs(p - (j == t ? 1 : 0))
                    let dP = p * (dz[j] + spread) + underflow
                    if let power {
                        let x = abs(s[order[i]] - s[j])
                        let slope = x == 0 ? 0 : power * pow(x, power - 1) / tau
                        gradScale[j] += g * slope
                        gradScale[order[i]] += g * slope
                        gradError[j] += (dP + 4 * u * g) * slope
                        gradError[order[i]] += (dP + 4 * u * g) * slope
                    } else {
                        gradScale[j] += g * abs(coefficient) / tau
                        gradError[j] += (dP + 4 * u * g) * abs(coefficient) / tau
                        sumScale[j] += g / tau
                        sumError[j] += (dP + 4 * u * g) / tau
                    }
                }
            }
            if power == nil {
                // dL/ds_j += sum_k (dL/dc_j + dL/dc_k) sign(s_j - s_k).
                let totalScale = sumScale.reduce(0, +), totalError = sumError.reduce(0, +)
                for j in 0..<n {
                    gradScale[j] += Double(n) * sumScale[j] + totalScale
                    gradError[j] += Double(n) * sumError[j] + totalError
                }
            }
            for j in 0..<n {
                scale["grad"]! = max(scale["grad"]!, gradScale[j])
                floatError["grad"]! = max(floatError["grad"]!, gradError[j] + u * Double(2 * n) * gradScale[j])
            }
        }
    }
}
