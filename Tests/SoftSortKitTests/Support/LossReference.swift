@testable import SoftSortKit

import Foundation

/// `Double` references of the losses on `P` and their gradients, written
/// unlike the kernels: the logits as an `n x n` array of arrays, a
/// max-subtracted log-softmax with Foundation's `exp` and `log`, and the
/// backward node by node (logits, then distances, then the sort), as
/// autograd walks it.
extension Reference {
    /// `log softmax(z)`, max-subtracted.
    static func logSoftmax(_ z: [Double]) -> [Double] {
        let largest = z.max() ?? 0
        let total = z.reduce(0) { $0 + exp($1 - largest) }
        return z.map { $0 - largest - log(total) }
    }

    /// SoftSort's logits of one batch row, `z[i][j] = -|c_i - s_j|^p / tau`, and its order.
    static func softSortLogits(
        _ s: [Double], temperature: Double, power: Double, direction: SortDirection
    ) -> (logits: [[Double]], order: [Int]) {
        let perm = order(s, direction: direction)
        return (perm.map { own in s.map { -pow(abs(s[own] - $0), power) / temperature } }, perm)
    }

    /// `dL/ds` of one SoftSort batch row given `dL/dz` (rows `dLogits.count`).
    static func softSortLogitsBackward(
        _ s: [Double], order perm: [Int], temperature: Double, power: Double, dLogits: [[Double]]
    ) -> [Double] {
        let n = s.count
        var dScores = [Double](repeating: 0, count: n), dSorted = [Double](repeating: 0, count: n)
        for (i, row) in dLogits.enumerated() {
            for j in 0..<n {
                let x = s[perm[i]] - s[j]
                let dDistance = -row[j] / temperature
                let dx = x == 0 ? 0 : dDistance * power * pow(abs(x), power - 1) * (x > 0 ? 1 : -1)
                dSorted[i] += dx
                dScores[j] -= dx
            }
        }
        for i in 0..<dLogits.count { dScores[perm[i]] += dSorted[i] }
        return dScores
    }

    /// `L = -sum_(b, i) log P[b, i, t[b, i]]` of SoftSort and `dL/ds`.
    static func softSortCrossEntropy(
        scores: [Double], targets: [Int], batch: Int, count n: Int, temperature: Double, power: Double,
        direction: SortDirection = .descending
    ) -> (loss: Double, gradient: [Double]) {
        var loss = 0.0, gradient: [Double] = []
        for (b, s) in rows(scores, batch: batch, count: n).enumerated() {
            let (z, perm) = softSortLogits(s, temperature: temperature, power: power, direction: direction)
            var dLogits: [[Double]] = []
            for i in 0..<n {
                let logP = logSoftmax(z[i]), t = targets[b * n + i]
                loss -= logP[t]
                dLogits.append((0..<n).map { j in exp(logP[j]) - (j == t ? 1 : 0) })
            }
            gradient += softSortLogitsBackward(s, order: perm, temperature: temperature, power: power, dLogits: dLogits)
        }
        return (loss, gradient)
    }

    /// `L = -(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]` of SoftSort and `dL/ds`.
    static func softSortNearestNeighbors(
        scores: [Double], matches: [Double], k: Int, batch: Int, count n: Int, temperature: Double,
        power: Double, direction: SortDirection = .descending
    ) -> (loss: Double, gradient: [Double]) {
        let weight = -1 / Double(batch * k)
        var loss = 0.0, gradient: [Double] = []
        for (b, s) in rows(scores, batch: batch, count: n).enumerated() {
            let y = Array(matches[b * n ..< (b + 1) * n])
            let (z, perm) = softSortLogits(s, temperature: temperature, power: power, direction: direction)
            var dLogits: [[Double]] = []
            for i in 0..<k {
                let p = softmax(z[i])
                loss += weight * zip(p, y).reduce(0) { $0 + $1.0 * $1.1 }
                dLogits.append(softmaxBackward(p, y.map { weight * $0 }))
            }
            gradient += softSortLogitsBackward(s, order: perm, temperature: temperature, power: power, dLogits: dLogits)
        }
        return (loss, gradient)
    }

    /// `L = -sum_(b, i) log P[b, i, t[b, i]]` of NeuralSort and `dL/ds`.
    static func neuralSortCrossEntropy(
        scores: [Double], targets: [Int], batch: Int, count n: Int, temperature: Double,
        direction: SortDirection = .descending
    ) -> (loss: Double, gradient: [Double]) {
        let sign: Double = direction == .descending ? 1 : -1
        var loss = 0.0, gradient: [Double] = []
        for (b, s) in rows(scores, batch: batch, count: n).enumerated() {
            let c = s.map { sj in s.reduce(0) { $0 + abs(sj - $1) } }
            var dScores = [Double](repeating: 0, count: n), dC = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let scale = sign * Double(n + 1 - 2 * (i + 1))
                let logP = logSoftmax((0..<n).map { j in (scale * s[j] - c[j]) / temperature })
                let t = targets[b * n + i]
                loss -= logP[t]
                for j in 0..<n {
                    let dz = exp(logP[j]) - (j == t ? 1 : 0)
                    dScores[j] += dz * scale / temperature
                    dC[j] -= dz / temperature
                }
            }
            for j in 0..<n {
                for k in 0..<n where s[j] != s[k] {
                    let dA = dC[j] * (s[j] > s[k] ? 1 : -1)
                    dScores[j] += dA
                    dScores[k] -= dA
                }
            }
            gradient += dScores
        }
        return (loss, gradient)
    }
}
