@testable import SoftSortKit

import Foundation

/// A plain `Double` reference for tests and `simd-bench verify`, written
/// unlike the kernels: an explicit sort, an `n x n` matrix of pairwise
/// distances, a max-subtracted softmax with Foundation's `exp`, and a
/// backward that walks the forward's graph node by node, as autograd does.
///
/// Slow on purpose; never used by the library itself.
enum Reference {
    /// The descending (or ascending) stable order of one row.
    static func order(_ row: [Double], direction: SortDirection) -> [Int] {
        row.indices.sorted { a, b in
            if row[a] != row[b] { return direction == .descending ? row[a] > row[b] : row[a] < row[b] }
            return a < b
        }
    }

    static func softmax(_ logits: [Double]) -> [Double] {
        let largest = logits.max() ?? 0
        let e = logits.map { exp($0 - largest) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// The softmax VJP: `dz_j = P_j (g_j - <g, P>)`.
    static func softmaxBackward(_ p: [Double], _ g: [Double]) -> [Double] {
        let inner = zip(p, g).reduce(0) { $0 + $1.0 * $1.1 }
        return zip(p, g).map { $0 * ($1 - inner) }
    }

    static func rows(_ flat: [Double], batch: Int, count: Int) -> [[Double]] {
        (0..<batch).map { Array(flat[$0 * count ..< ($0 + 1) * count]) }
    }

    // MARK: SoftSort

    /// SoftSort's `B x n x n` matrices, flat.
    static func softSort(
        scores: [Double], batch: Int, count n: Int, temperature: Double, power: Double,
        direction: SortDirection = .descending
    ) -> [Double] {
        rows(scores, batch: batch, count: n).flatMap { s -> [Double] in
            let sorted = order(s, direction: direction).map { s[$0] }
            let distances = sorted.map { c in s.map { pow(abs(c - $0), power) } }
            return distances.flatMap { row in softmax(row.map { -$0 / temperature }) }
        }
    }

    /// `dL/ds` of SoftSort given `dL/dP`.
    static func softSortBackward(
        scores: [Double], batch: Int, count n: Int, temperature: Double, power: Double,
        direction: SortDirection = .descending, gradient: [Double]
    ) -> [Double] {
        let p = softSort(scores: scores, batch: batch, count: n, temperature: temperature, power: power, direction: direction)
        var result = [Double]()
        for (b, s) in rows(scores, batch: batch, count: n).enumerated() {
            let perm = order(s, direction: direction)
            var dScores = [Double](repeating: 0, count: n)
            var dSorted = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let base = (b * n + i) * n
                let dLogits = softmaxBackward(Array(p[base ..< base + n]), Array(gradient[base ..< base + n]))
                for j in 0..<n {
                    // logit = -|x|^p / tau with x = sorted_i - s_j.
                    let x = s[perm[i]] - s[j]
                    let dDistance = -dLogits[j] / temperature
                    let dx = x == 0 ? 0 : dDistance * power * pow(abs(x), power - 1) * (x > 0 ? 1 : -1)
                    dSorted[i] += dx
                    dScores[j] -= dx
                }
            }
            for i in 0..<n { dScores[perm[i]] += dSorted[i] }
            result += dScores
        }
        return result
    }

    // MARK: NeuralSort

    /// NeuralSort's `B x n x n` matrices, flat.
    static func neuralSort(
        scores: [Double], batch: Int, count n: Int, temperature: Double, direction: SortDirection = .descending
    ) -> [Double] {
        let sign: Double = direction == .descending ? 1 : -1
        return rows(scores, batch: batch, count: n).flatMap { s -> [Double] in
            let a = s.map { sj in s.map { abs(sj - $0) } }
            let c = a.map { $0.reduce(0, +) }
            return (0..<n).flatMap { i -> [Double] in
                let scale = sign * Double(n + 1 - 2 * (i + 1))
                return softmax((0..<n).map { j in (scale * s[j] - c[j]) / temperature })
            }
        }
    }

    /// `dL/ds` of NeuralSort given `dL/dP`.
    static func neuralSortBackward(
        scores: [Double], batch: Int, count n: Int, temperature: Double,
        direction: SortDirection = .descending, gradient: [Double]
    ) -> [Double] {
        let sign: Double = direction == .descending ? 1 : -1
        let p = neuralSort(scores: scores, batch: batch, count: n, temperature: temperature, direction: direction)
        var result = [Double]()
        for (b, s) in rows(scores, batch: batch, count: n).enumerated() {
            var dScores = [Double](repeating: 0, count: n)
            var dC = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let base = (b * n + i) * n
                let dLogits = softmaxBackward(Array(p[base ..< base + n]), Array(gradient[base ..< base + n]))
                let scale = sign * Double(n + 1 - 2 * (i + 1))
                for j in 0..<n {
                    dScores[j] += dLogits[j] * scale / temperature
                    dC[j] -= dLogits[j] / temperature
                }
            }
            // c_j = sum_k A[j, k], A[j, k] = |s_j - s_k|.
            for j in 0..<n {
                for k in 0..<n where s[j] != s[k] {
                    let dA = dC[j] * (s[j] > s[k] ? 1 : -1)
                    dScores[j] += dA
                    dScores[k] -= dA
                }
            }
            result += dScores
        }
        return result
    }
}

/// The Gauss transform's sums by direct `O(n^2)` summation in `Double`, at
/// every point as target (points in bandwidths):
/// `g0[i] = sum_j q_j exp(-(v_i - v_j)^2)`, `g1[i] = sum_j q_j exp(-(v_i - v_j)^2) (v_i - v_j)`.
func directGaussSums(points v: [Double], weights q: [Double]) -> (g0: [Double], g1: [Double]) {
    var g0 = [Double](repeating: 0, count: v.count), g1 = g0
    for i in v.indices {
        var e0 = 0.0, e1 = 0.0
        for j in v.indices {
            let d = v[i] - v[j]
            e0 += q[j] * exp(-d * d)
            e1 += q[j] * exp(-d * d) * d
        }
        g0[i] = e0
        g1[i] = e1
    }
    return (g0, g1)
}
