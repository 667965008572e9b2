import Foundation
import SoftSortKit

/// The bounds `simd-bench verify` holds each output to, as a max |a - b|.
///
/// Both are built from the Double outputs of one case, batch row by batch row:
///
/// - `scale`: the size of what each output sums, term by term (`max P`,
///   `sum_j P |s_j|`, `sum |P W|`, for `ranks` (`P^T r`) `sum_i P (i + 1)`,
///   and for `grad` the sum of the absolute
///   values of every term that reaches `dL/ds_j`). A gradient that cancels to
///   nearly 0 is judged against the terms that cancelled, not against 0.
/// - `floatError`: a first-order bound on what Float rounding does, with
///   `u = 2^-24`, plus `2^-95` on every entry of `P` (the kernels flush
///   entries below `2^-96` to 0 to keep subnormal numbers out): each logit `z[i, j]` is off by at most
///   `dz = u (6 |z| + 2n + 8)` (SoftSort) or `u (6 |a| + n c_j / tau + 2n + 8)`
///   (NeuralSort, `a` = its terms before they cancel, `c_j = sum_k |s_j - s_k|`),
///   so `|dP[i, j]| <= P[i, j] (dz[i, j] + sum_k P[i, k] dz[i, k])`, and that
///   error is carried through `P s`, `P^T r`, `L` and the backward's sums, each of
///   which adds its own `u n` rounding.
struct Tolerance {
    var scale: [String: Double] = ["P": 0, "Ps": 0, "ranks": 0, "L": 0, "grad": 0]
    var floatError: [String: Double] = ["P": 0, "Ps": 0, "ranks": 0, "L": 0, "grad": 0]

    /// The Double path is held to a relative 1e-9 of `scale`.
    static let doubleRelativeTolerance = 1e-9
    /// The Float path is held to this multiple of `floatError`.
    static let floatSafetyFactor = 4.0

    var double: [String: Double] { scale.mapValues { $0 * Self.doubleRelativeTolerance } }
    var float: [String: Double] { floatError.mapValues { $0 * Self.floatSafetyFactor } }

    init(
        matrices: [Double], scores: [Double], weights: [Double], permutation: [Int],
        batch: Int, count n: Int, temperature tau: Double, power: Double, neuralSort: Bool
    ) {
        let u = 0x1p-24
        let rounding = u * Double(2 * n + 8)
        // The kernels flush entries below 2^-96 to 0 (no subnormal numbers).
        let underflow = 0x1p-95
        for b in 0..<batch {
            let s = Array(scores[b * n ..< (b + 1) * n])
            let columnSums = s.map { sj in s.reduce(0) { $0 + abs(sj - $1) } }
            var dPBound = [Double](repeating: 0, count: n * n)
            // The ranks P^T r, r_i = i + 1: column sums over the rows.
            var rankScale = [Double](repeating: 0, count: n), rankError = [Double](repeating: 0, count: n)
            // Forward: P, P s, L.
            for i in 0..<n {
                let centre = s[permutation[b * n + i]]
                let coefficient = Double(n - 1 - 2 * i)
                var dz = [Double](repeating: 0, count: n)
                var spread = 0.0, psScale = 0.0
                for j in 0..<n {
                    let p = matrices[(b * n + i) * n + j]
                    if neuralSort {
                        dz[j] = u * (6 * (abs(coefficient * s[j]) + columnSums[j]) / tau
                                     + Double(n) * columnSums[j] / tau) + rounding
                    } else {
                        dz[j] = u * 6 * pow(abs(centre - s[j]), power) / tau + rounding
                    }
                    spread += p * dz[j]
                    psScale += p * abs(s[j])
                }
                var psError = 0.0
                for j in 0..<n {
                    let k = (b * n + i) * n + j, p = matrices[k]
                    dPBound[i * n + j] = p * (dz[j] + spread) + underflow
                    scale["P"]! = max(scale["P"]!, p)
                    floatError["P"]! = max(floatError["P"]!, dPBound[i * n + j])
                    psError += dPBound[i * n + j] * abs(s[j])
                    rankScale[j] += p * Double(i + 1)
                    rankError[j] += dPBound[i * n + j] * Double(i + 1)
                    scale["L"]! += abs(p * weights[k])
                    floatError["L"]! += dPBound[i * n + j] * abs(weights[k])
                }
                scale["Ps"]! = max(scale["Ps"]!, psScale)
                floatError["Ps"]! = max(floatError["Ps"]!, psError + u * Double(n) * psScale)
            }
            for j in 0..<n {
                scale["ranks"]! = max(scale["ranks"]!, rankScale[j])
                floatError["ranks"]! = max(floatError["ranks"]!, rankError[j] + u * Double(n) * rankScale[j])
            }
            // Backward: D = P (G - <G, P>), then through the logits.
            var gradScale = [Double](repeating: 0, count: n), gradError = [Double](repeating: 0, count: n)
            var sumScale = [Double](repeating: 0, count: n), sumError = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let row = (b * n + i) * n
                var dot = 0.0, dotScale = 0.0, dotError = 0.0
                for k in 0..<n {
                    dot += weights[row + k] * matrices[row + k]
                    dotScale += abs(weights[row + k] * matrices[row + k])
                    dotError += dPBound[i * n + k] * abs(weights[row + k])
                }
                dotError += u * Double(n) * dotScale
                let centreIndex = permutation[b * n + i]
                let coefficient = abs(Double(n - 1 - 2 * i))
                for j in 0..<n {
                    let p = matrices[row + j]
                    let d = abs(p * (weights[row + j] - dot))
                    let dScale = p * (abs(weights[row + j]) + dotScale)
                    let dError = dPBound[i * n + j] * (abs(weights[row + j]) + abs(dot)) + p * dotError + 3 * u * d
                    if neuralSort {
                        gradScale[j] += dScale * coefficient / tau
                        gradError[j] += (dError + u * dScale) * coefficient / tau
                        sumScale[j] += dScale / tau
                        sumError[j] += (dError + u * dScale) / tau
                    } else {
                        let x = abs(s[centreIndex] - s[j])
                        let derivative = x == 0 ? 0 : power * pow(x, power - 1) / tau
                        let term = dScale * derivative, error = (dError + 4 * u * dScale) * derivative
                        gradScale[j] += term
                        gradError[j] += error
                        gradScale[centreIndex] += term
                        gradError[centreIndex] += error
                    }
                }
            }
            if neuralSort {
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
