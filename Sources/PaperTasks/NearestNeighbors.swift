import Foundation

/// kNN classification with fixed features: for each query the `k` nearest
/// candidates by squared Euclidean distance vote; a tie between classes goes
/// to the tied class of the nearest voter.
package func nearestNeighborAccuracy(
    queries: [Float], queryLabels: [Int], candidates: [Float], candidateLabels: [Int], dimension d: Int, k: Int
) -> Double {
    let queryCount = queryLabels.count, candidateCount = candidateLabels.count
    precondition(queries.count == queryCount * d && candidates.count == candidateCount * d && k >= 1)
    var right = 0
    var distances = [Float](repeating: 0, count: candidateCount)
    for q in 0..<queryCount {
        queries.withUnsafeBufferPointer { x in
            candidates.withUnsafeBufferPointer { c in
                for j in 0..<candidateCount {
                    var total: Float = 0
                    for e in 0..<d {
                        let difference = x[q * d + e] - c[j * d + e]
                        total += difference * difference
                    }
                    distances[j] = total
                }
            }
        }
        let nearest = Array(distances.indices.sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }.prefix(k))
        var votes = [Int](repeating: 0, count: 10)
        for j in nearest { votes[candidateLabels[j]] += 1 }
        let most = votes.max()!
        let predicted = nearest.map { candidateLabels[$0] }.first { votes[$0] == most }!
        if predicted == queryLabels[q] { right += 1 }
    }
    return Double(right) / Double(max(1, queryCount))
}

/// Principal components of `rows x d` data: the mean and the `components`
/// leading eigenvectors of the covariance (cyclic Jacobi in `Double`).
package struct PrincipalComponents: Sendable {
    package var mean: [Double]
    /// `components x d`, row `c` the `c`-th eigenvector (largest eigenvalue first).
    package var axes: [Double]
    package var eigenvalues: [Double]
    package var dimension: Int

    package init(_ data: [Float], rows: Int, dimension d: Int, components: Int) {
        precondition(components >= 1 && components <= d && data.count == rows * d)
        dimension = d
        mean = [Double](repeating: 0, count: d)
        for r in 0..<rows { for e in 0..<d { mean[e] += Double(data[r * d + e]) / Double(rows) } }
        var covariance = [Double](repeating: 0, count: d * d)
        for r in 0..<rows {
            for a in 0..<d {
                let xa = Double(data[r * d + a]) - mean[a]
                if xa == 0 { continue }
                for b in 0..<d { covariance[a * d + b] += xa * (Double(data[r * d + b]) - mean[b]) }
            }
        }
        for k in covariance.indices { covariance[k] /= Double(max(1, rows - 1)) }
        let (values, vectors) = symmetricEigen(covariance, dimension: d)
        let order = values.indices.sorted { values[$0] > values[$1] }.prefix(components)
        eigenvalues = order.map { values[$0] }
        axes = order.flatMap { c in (0..<d).map { vectors[$0 * d + c] } }
    }

    /// The projections of `rows x d` data on the axes, `rows x components`.
    package func project(_ data: [Float], rows: Int) -> [Float] {
        let d = dimension, components = eigenvalues.count
        var result = [Float](repeating: 0, count: rows * components)
        for r in 0..<rows {
            for c in 0..<components {
                var total = 0.0
                for e in 0..<d { total += (Double(data[r * d + e]) - mean[e]) * axes[c * d + e] }
                result[r * components + c] = Float(total)
            }
        }
        return result
    }
}

/// Eigenvalues and eigenvectors (columns of the `d x d` result) of a
/// symmetric matrix, by cyclic Jacobi rotations until the off-diagonal
/// mass is below `1e-22` of the total.
package func symmetricEigen(_ matrix: [Double], dimension d: Int) -> (values: [Double], vectors: [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: d * d)
    for i in 0..<d { v[i * d + i] = 1 }
    let total = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0..<100 {
        var off = 0.0
        for p in 0..<d { for q in 0..<d where p != q { off += a[p * d + q] * a[p * d + q] } }
        if off <= 1e-22 * max(total, .leastNormalMagnitude) { break }
        for p in 0..<d - 1 {
            for q in p + 1..<d where a[p * d + q] != 0 {
                let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<d {
                    let akp = a[k * d + p], akq = a[k * d + q]
                    a[k * d + p] = c * akp - s * akq
                    a[k * d + q] = s * akp + c * akq
                }
                for k in 0..<d {
                    let apk = a[p * d + k], aqk = a[q * d + k]
                    a[p * d + k] = c * apk - s * aqk
                    a[q * d + k] = s * apk + c * aqk
                }
                for k in 0..<d {
                    let vkp = v[k * d + p], vkq = v[k * d + q]
                    v[k * d + p] = c * vkp - s * vkq
                    v[k * d + q] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<d).map { a[$0 * d + $0] }, v)
}
