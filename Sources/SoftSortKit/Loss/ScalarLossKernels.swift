/// The `scalar` fused-loss kernels: one element at a time, libm's `exp`,
/// `log` and `pow`. The plainest correct kernels, the baseline the vector
/// ones are measured against (same formulas, not the same code).
enum ScalarLossKernels {
    @Sendable
    static func softSortCrossEntropy<T: VectorScalar>(_ job: SoftSortLossJob<T>, rows: Range<Int>) -> Double {
        let n = job.count, tau = job.temperature
        var loss = 0.0
        for i in rows {
            let centre = job.centres[i], row = job.rowBuffer
            var sum: T = 0
            for j in 0..<n {
                row[j] = T.libmExp(-Distance.value(centre - job.scores[j], job.power) / tau)
                sum += row[j]
            }
            let t = job.targets[i]
            loss += Distance.value(Double(centre) - Double(job.scores[t]), job.power) / Double(tau)
                + Double.libmLog(Double(sum))
            let inverseSum = 1 / sum
            var centreGradient: T = 0
            for j in 0..<n {
                let u = row[j] * inverseSum * Distance.derivative(centre - job.scores[j], job.power) / tau
                job.columnGradient[j] += u
                centreGradient -= u
            }
            // The one-hot part of g = P - onehot.
            let u = Distance.derivative(centre - job.scores[t], job.power) / tau
            job.columnGradient[t] -= u
            job.centreGradient[i] = centreGradient + u
        }
        return loss
    }

    @Sendable
    static func nearestNeighbors<T: VectorScalar>(_ job: NearestNeighborLossJob<T>, rows: Range<Int>) -> Double {
        let n = job.count, tau = job.temperature
        var total = 0.0
        for i in rows {
            let centre = job.centres[i], row = job.rowBuffer
            var sum: T = 0, weighted: T = 0
            for j in 0..<n {
                row[j] = T.libmExp(-Distance.value(centre - job.scores[j], job.power) / tau)
                sum += row[j]
                weighted += row[j] * job.matches[j]
            }
            let inverseSum = 1 / sum, mean = weighted * inverseSum
            total += Double(mean)
            var centreGradient: T = 0
            for j in 0..<n {
                let g = job.weight * row[j] * inverseSum * (job.matches[j] - mean)
                let u = g * Distance.derivative(centre - job.scores[j], job.power) / tau
                job.columnGradient[j] += u
                centreGradient -= u
            }
            job.centreGradient[i] = centreGradient
        }
        return total
    }

    @Sendable
    static func neuralSortCrossEntropy<T: VectorScalar>(_ job: NeuralSortLossJob<T>, rows: Range<Int>) -> Double {
        let n = job.count, tau = job.temperature
        var loss = 0.0
        for i in rows {
            let row = job.rowBuffer, coefficient = job.sign * T(n - 1 - 2 * i)
            var largest = -T.infinity
            // The numerators w_j and their maximum, subtracted before
            // dividing by tau (as SIMDLossKernels does).
            for j in 0..<n {
                row[j] = coefficient * job.scores[j] - job.columnSums[j]
                largest = max(largest, row[j])
            }
            let t = job.targets[i], target = row[t]
            var sum: T = 0
            for j in 0..<n {
                row[j] = T.libmExp((row[j] - largest) / tau)
                sum += row[j]
            }
            loss += (Double(largest) - Double(target)) / Double(tau) + Double.libmLog(Double(sum))
            let inverseSum = 1 / sum
            for j in 0..<n {
                let g = row[j] * inverseSum / tau
                job.scoreGradient[j] += coefficient * g
                job.columnSumGradient[j] -= g
            }
            job.scoreGradient[t] -= coefficient / tau
            job.columnSumGradient[t] += 1 / tau
        }
        return loss
    }
}
