#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SoftSortKit

/// The cross-entropy through the materialised `P` (the `dense` path):
///
///     L = sum_(b, i) -log P[b, i, t_i],   log P[i, t] = -|x_i - s_t|^p / tau - log Z_i
///
/// Row `i`'s largest logit is 0, at its own sorted column `perm_i`, so
/// `log Z_i = -log P[i, perm_i]` with `P[i, perm_i] >= 1 / n`: the loss never
/// takes the logarithm of an underflowed entry. The gradient goes through
/// `RelaxedPermutation.backward` with `dL/dP[i, t_i] = -1 / P[i, t_i]`, which
/// needs `P[i, t_i]` representable: an entry that underflows to 0 fails with
/// `Failure.underflow` (the fused and exact paths have no such limit).
enum DenseCrossEntropy<T: ABIScalar> {
    static func softSort(
        scores: [T], targets: [Int], shape: Shape, temperature: Double, power: Double, direction: SortDirection,
        wantsGradient: Bool
    ) throws(Failure) -> LossResult<T> {
        let n = shape.count
        if let bad = targets.firstIndex(where: { $0 < 0 || $0 >= n }) {
            throw .library(.indexOutOfRange(argument: "targets", position: bad, value: targets[bad], count: n))
        }
        return try T.pool.withScratch { scratch throws(Failure) in
            let result = try Operators.dense(
                .softSort(power: power), scores: scores, shape: shape, temperature: temperature,
                direction: direction, workspace: scratch.workspace)
            let permutation = result.permutation
            var sum = 0.0
            var underflow: (row: Int, position: Int)?
            if wantsGradient { scratch.zeroGradient(count: shape.rows * n) }
            result.matrices.withUnsafeBufferPointer { p in
                scratch.gradient.withUnsafeMutableBufferPointer { g in
                    for row in 0..<shape.rows {
                        let base = row - row % n
                        let own = permutation[row], target = targets[row]
                        let distance = abs(Double(scores[base + own]) - Double(scores[base + target]))
                        sum += (power == 1 ? distance : pow(distance, power)) / temperature
                            - log(Double(p[row * n + own]))
                        guard wantsGradient else { continue }
                        let entry = p[row * n + target]
                        let derivative = -1 / entry
                        if entry > 0, derivative.isFinite {
                            g[row * n + target] = derivative
                        } else if underflow == nil {
                            underflow = (row / n, row % n)
                        }
                    }
                }
            }
            guard wantsGradient else { return LossResult(value: T(sum), gradient: [], path: .dense) }
            defer { clear(scratch, targets: targets, count: n) }
            if let underflow { throw .underflow(row: underflow.row, position: underflow.position) }
            let gradient = try library { () throws(SoftSortError) in try result.backward(scratch.gradient) }
            return LossResult(value: T(sum), gradient: gradient, path: .dense)
        }
    }

    /// Sets the entries `softSort` wrote back to zero (the scratch's invariant).
    private static func clear(_ scratch: DenseScratch<T>, targets: [Int], count n: Int) {
        scratch.gradient.withUnsafeMutableBufferPointer { g in
            for (row, target) in targets.enumerated() { g[row * n + target] = 0 }
        }
    }
}
