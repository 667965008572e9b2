/// The `scalar` backend: one element at a time, libm's `exp` and `pow`.
///
/// The plainest correct kernels, the baseline the vector backends are
/// measured against. They share the `simd` kernels' formulas, not their code.
enum ScalarRowKernels {
    @Sendable
    static func softSortForward<T: VectorScalar>(_ job: SoftSortRowJob<T>, rows: Range<Int>) {
        let n = job.count
        for i in rows {
            let row = job.matrix + i * n
            let centre = job.centres[i]
            var sum: T = 0
            for j in 0..<n {
                let e = T.libmExp(-Distance.value(centre - job.scores[j], job.power) / job.temperature)
                row[j] = e
                sum += e
            }
            for j in 0..<n { row[j] /= sum }
        }
    }

    @Sendable
    static func softSortBackward<T: VectorScalar>(_ job: SoftSortBackwardJob<T>, rows: Range<Int>) {
        let n = job.count
        for i in rows {
            let p = job.matrix + i * n, g = job.matrixGradient + i * n
            var dot: T = 0
            for j in 0..<n { dot += g[j] * p[j] }
            let centre = job.centres[i]
            var centreGradient: T = 0
            for j in 0..<n {
                let d = p[j] * (g[j] - dot)
                let t = d * Distance.derivative(centre - job.scores[j], job.power) / job.temperature
                job.columnGradient[j] += t
                centreGradient -= t
            }
            job.centreGradient[i] = centreGradient
        }
    }

    @Sendable
    static func neuralSortForward<T: VectorScalar>(_ job: NeuralSortRowJob<T>, rows: Range<Int>) {
        let n = job.count
        for i in rows {
            let row = job.matrix + i * n
            let coefficient = job.sign * T(n - 1 - 2 * i)
            var largest = -T.infinity
            for j in 0..<n {
                row[j] = (coefficient * job.scores[j] - job.columnSums[j]) / job.temperature
                largest = max(largest, row[j])
            }
            var sum: T = 0
            for j in 0..<n {
                row[j] = T.libmExp(row[j] - largest)
                sum += row[j]
            }
            for j in 0..<n { row[j] /= sum }
        }
    }

    @Sendable
    static func neuralSortBackward<T: VectorScalar>(_ job: NeuralSortBackwardJob<T>, rows: Range<Int>) {
        let n = job.count
        for i in rows {
            let p = job.matrix + i * n, g = job.matrixGradient + i * n
            var dot: T = 0
            for j in 0..<n { dot += g[j] * p[j] }
            let coefficient = job.sign * T(n - 1 - 2 * i)
            for j in 0..<n {
                let t = p[j] * (g[j] - dot) / job.temperature
                job.scoreGradient[j] += coefficient * t
                job.columnSumGradient[j] -= t
            }
        }
    }

    @Sendable
    static func columnSums<T: VectorScalar>(_ scores: UnsafePointer<T>, _ n: Int, _ sums: UnsafeMutablePointer<T>) {
        for j in 0..<n {
            var sum: T = 0
            for k in 0..<n { sum += abs(scores[j] - scores[k]) }
            sums[j] = sum
        }
    }

    @Sendable
    static func columnSumsBackward<T: VectorScalar>(
        _ scores: UnsafePointer<T>, _ n: Int,
        _ sumGradient: UnsafePointer<T>, _ gradient: UnsafeMutablePointer<T>
    ) {
        for j in 0..<n {
            var total: T = 0
            for k in 0..<n {
                let x = scores[j] - scores[k]
                if x != 0 { total += x > 0 ? sumGradient[j] + sumGradient[k] : -(sumGradient[j] + sumGradient[k]) }
            }
            gradient[j] += total
        }
    }
}
