@testable import SoftSortKit

/// The operator a `Double` reference computes `P` for: SoftSort with its
/// power, or NeuralSort.
enum ReferenceOperator: Sendable, CustomStringConvertible {
    case softSort(power: Double)
    case neuralSort

    /// `P`, `B x n x n`, from `Reference.softSort` or `Reference.neuralSort`.
    func matrices(
        _ scores: [Double], batch: Int, count n: Int, temperature: Double, direction: SortDirection
    ) -> [Double] {
        switch self {
        case .softSort(let p):
            Reference.softSort(scores: scores, batch: batch, count: n, temperature: temperature, power: p, direction: direction)
        case .neuralSort:
            Reference.neuralSort(scores: scores, batch: batch, count: n, temperature: temperature, direction: direction)
        }
    }

    /// `dL/ds` given `dL/dP`, node by node.
    func backward(
        _ scores: [Double], batch: Int, count n: Int, temperature: Double, direction: SortDirection, gradient: [Double]
    ) -> [Double] {
        switch self {
        case .softSort(let p):
            Reference.softSortBackward(
                scores: scores, batch: batch, count: n, temperature: temperature, power: p, direction: direction,
                gradient: gradient)
        case .neuralSort:
            Reference.neuralSortBackward(
                scores: scores, batch: batch, count: n, temperature: temperature, direction: direction, gradient: gradient)
        }
    }

    var description: String {
        switch self {
        case .softSort(let p): "SoftSort p = \(p)"
        case .neuralSort: "NeuralSort"
        }
    }
}

/// `Double` references of the outputs that apply `P` to values, written
/// from the reference `P` and its node-by-node backward: one plain loop per
/// sum, `dL/dP` formed explicitly.
extension Reference {
    /// An output that applies `P`, and its vector-Jacobian product.
    struct Product {
        /// `P V` (`B x n x d`, rows sorted) or `P^T U` (column order).
        var values: [Double]
        /// `dL/ds` through `P`.
        var scores: [Double]
        /// `dL/dV` (`P^T G`) or `dL/dU` (`P G`).
        var valueGradient: [Double]
    }

    /// `Y = P V` (`transposed: false`) or `Y = P^T U` (`true`), and the
    /// gradients of `L = <G, Y>`:
    ///
    ///     P V:    dL/dP[i, j] = <G_i, V_j>,  dL/dV = P^T G
    ///     P^T U:  dL/dP[i, j] = <U_i, G_j>,  dL/dU = P G
    static func product(
        _ op: ReferenceOperator, scores s: [Double], values v: [Double], gradient g: [Double], batch: Int, count n: Int,
        dimension d: Int, temperature: Double, direction: SortDirection = .descending, transposed: Bool
    ) -> Product {
        let p = op.matrices(s, batch: batch, count: n, temperature: temperature, direction: direction)
        var y = [Double](repeating: 0, count: batch * n * d), dV = y
        var dP = [Double](repeating: 0, count: batch * n * n)
        for b in 0..<batch {
            for i in 0..<n {
                for j in 0..<n {
                    let pij = p[(b * n + i) * n + j]
                    for e in 0..<d {
                        let row = (b * n + i) * d + e, column = (b * n + j) * d + e
                        if transposed {
                            y[column] += pij * v[row]
                            dV[row] += pij * g[column]
                            dP[(b * n + i) * n + j] += v[row] * g[column]
                        } else {
                            y[row] += pij * v[column]
                            dV[column] += pij * g[row]
                            dP[(b * n + i) * n + j] += g[row] * v[column]
                        }
                    }
                }
            }
        }
        let dS = op.backward(s, batch: batch, count: n, temperature: temperature, direction: direction, gradient: dP)
        return Product(values: y, scores: dS, valueGradient: dV)
    }

    /// Rows `selection` of every batch row of a `batch x rows x d` array.
    static func selectRows(_ selection: [Int], of full: [Double], batch: Int, rows: Int, dimension d: Int) -> [Double] {
        var result: [Double] = []
        for b in 0..<batch {
            for row in selection { result += full[(b * rows + row) * d ..< (b * rows + row + 1) * d] }
        }
        return result
    }

    /// The full `batch x rows x d` upstream gradient of a selection of rows:
    /// `part` at rows `selection` (summed where a row repeats), zero elsewhere.
    static func expandRows(_ selection: [Int], _ part: [Double], batch: Int, rows: Int, dimension d: Int) -> [Double] {
        var full = [Double](repeating: 0, count: batch * rows * d)
        for b in 0..<batch {
            for (position, row) in selection.enumerated() {
                for e in 0..<d { full[(b * rows + row) * d + e] += part[(b * selection.count + position) * d + e] }
            }
        }
        return full
    }

    /// The rows `quantiles` keeps for `levels`: `round(q (n - 1))`, ties away from zero.
    static func quantileRows(_ levels: [Double], count n: Int) -> [Int] {
        levels.map { Int(($0 * Double(n - 1)).rounded(.toNearestOrAwayFromZero)) }
    }

    /// `r = (1, ..., n)` for every batch row: the ranks' values.
    static func rankValues(batch: Int, count n: Int) -> [Double] {
        (0..<batch * n).map { Double($0 % max(n, 1) + 1) }
    }

    /// `L = -(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]` and `dL/ds`, for any operator.
    static func nearestNeighbors(
        _ op: ReferenceOperator, scores s: [Double], matches y: [Double], k: Int, batch: Int, count n: Int,
        temperature: Double, direction: SortDirection = .descending
    ) -> (loss: Double, gradient: [Double]) {
        let weight = -1 / Double(batch * k)
        var upstream = [Double](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for i in 0..<k { upstream[b * n + i] = weight }
        }
        let product = product(
            op, scores: s, values: y, gradient: upstream, batch: batch, count: n, dimension: 1, temperature: temperature,
            direction: direction, transposed: false)
        let loss = zip(product.values, upstream).reduce(0) { $0 + $1.0 * $1.1 }
        return (loss, product.scores)
    }
}
