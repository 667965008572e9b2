/// The `simd` backend: portable Swift SIMD kernels (`SIMD8<Float>`,
/// `SIMD4<Double>`), two vectors per main-loop step, a one-vector loop and a
/// scalar tail that uses the same `exp` as the body.
///
/// On x86-64 without a `-target-cpu` flag these compile to SSE; the AVX2 C
/// kernels are the fast path there.
enum SIMDRowKernels {
    // MARK: SoftSort

    @Sendable
    static func softSortForward<T: VectorScalar>(_ job: SoftSortRowJob<T>, rows: Range<Int>) {
        switch job.power {
        case .one:
            softSortForward(job, rows) { d in T.negativeMagnitude(d) }
        case .two:
            softSortForward(job, rows) { d in -(d * d) }
        case .general(let p):
            let power = T(p)
            softSortForward(job, rows) { d in Distance.negativeGeneral(d, power) }
        }
    }

    /// The fused row: `e_j = exp(negativeDistance(c - s_j) / tau)` stored and
    /// summed in one pass over the scores (`expRow`), then one scaling pass.
    /// The largest logit of a SoftSort row is exactly 0, so there is no max pass.
    @inline(__always)
    static func softSortForward<T: VectorScalar>(
        _ job: SoftSortRowJob<T>, _ rows: Range<Int>,
        negativeDistance: (T.Vector) -> T.Vector
    ) {
        let n = job.count
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature), one = T.Vector(repeating: 1)
        for i in rows {
            let row = job.matrix + i * n
            let sum = expRow(job.scores, job.centres[i], row, n, inverseTemperature, one, negativeDistance)
            SIMDMemory.scale(row, n, by: 1 / sum)
        }
    }

    /// `out[j] = exp(negativeDistance(c - s_j) / tau) * factor` over `w` columns;
    /// returns the sum of `out`.
    @inline(__always)
    static func expRow<T: VectorScalar>(
        _ s: UnsafePointer<T>, _ centre: T, _ out: UnsafeMutablePointer<T>, _ w: Int,
        _ inverseTemperature: T.Vector, _ factor: T.Vector, _ negativeDistance: (T.Vector) -> T.Vector
    ) -> T {
        let width = T.Vector.scalarCount
        let c = T.Vector(repeating: centre)
        var sum0 = T.Vector.zero, sum1 = T.Vector.zero
        var j = 0
        while j + 2 * width <= w {
            let e0 = T.expNonPositive(negativeDistance(c - SIMDMemory.load(s, j)) * inverseTemperature) * factor
            let e1 = T.expNonPositive(negativeDistance(c - SIMDMemory.load(s, j + width)) * inverseTemperature) * factor
            SIMDMemory.store(e0, out, j)
            SIMDMemory.store(e1, out, j + width)
            sum0 += e0
            sum1 += e1
            j += 2 * width
        }
        if j + width <= w {
            let e0 = T.expNonPositive(negativeDistance(c - SIMDMemory.load(s, j)) * inverseTemperature) * factor
            SIMDMemory.store(e0, out, j)
            sum0 += e0
            j += width
        }
        var sum = (sum0 + sum1).sum()
        while j < w {
            let z = negativeDistance(c - T.Vector(repeating: s[j])) * inverseTemperature
            out[j] = T.expNonPositive(z[0]) * factor[0]
            sum += out[j]
            j += 1
        }
        return sum
    }

    @Sendable
    static func softSortBackward<T: VectorScalar>(_ job: SoftSortBackwardJob<T>, rows: Range<Int>) {
        switch job.power {
        case .one:
            // d'(x) t = sign(x) t, with sign(0) = 0.
            softSortBackward(job, rows) { x, t in T.signTimes(x, t) }
        case .two:
            softSortBackward(job, rows) { x, t in (x + x) * t }
        case .general:
            softSortBackward(job, rows) { x, t in Distance.derivativeTimesGeneral(x, t, job.power) }
        }
    }

    @inline(__always)
    static func softSortBackward<T: VectorScalar>(
        _ job: SoftSortBackwardJob<T>, _ rows: Range<Int>,
        derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) {
        let n = job.count, width = T.Vector.scalarCount
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        for i in rows {
            let p = job.matrix + i * n, g = job.matrixGradient + i * n
            let rowDot = T.Vector(repeating: SIMDMemory.dot(p, g, n))
            let centre = T.Vector(repeating: job.centres[i])
            var centreSum = T.Vector.zero
            var j = 0
            while j + width <= n {
                let t = SIMDMemory.load(p, j) * (SIMDMemory.load(g, j) - rowDot) * inverseTemperature
                let u = derivativeTimes(centre - SIMDMemory.load(job.scores, j), t)
                SIMDMemory.store(SIMDMemory.load(job.columnGradient, j) + u, job.columnGradient, j)
                centreSum -= u
                j += width
            }
            var centreGradient = centreSum.sum()
            while j < n {
                let t = T.Vector(repeating: p[j] * (g[j] - rowDot[0])) * inverseTemperature
                let u = derivativeTimes(centre - T.Vector(repeating: job.scores[j]), t)[0]
                job.columnGradient[j] += u
                centreGradient -= u
                j += 1
            }
            job.centreGradient[i] = centreGradient
        }
    }

    // MARK: NeuralSort

    @Sendable
    static func neuralSortForward<T: VectorScalar>(_ job: NeuralSortRowJob<T>, rows: Range<Int>) {
        let n = job.count, width = T.Vector.scalarCount
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        for i in rows {
            let row = job.matrix + i * n
            let coefficient = T.Vector(repeating: job.sign * T(n - 1 - 2 * i))
            // Pass 1: logits and their maximum (NeuralSort's are unbounded).
            var largestVector = T.Vector(repeating: -T.infinity)
            var j = 0
            while j + width <= n {
                let z = (coefficient * SIMDMemory.load(job.scores, j) - SIMDMemory.load(job.columnSums, j)) * inverseTemperature
                SIMDMemory.store(z, row, j)
                largestVector = T.maximum(largestVector, z)
                j += width
            }
            var largest = largestVector.max()
            while j < n {
                let z = (coefficient[0] * job.scores[j] - job.columnSums[j]) * inverseTemperature[0]
                row[j] = z
                largest = max(largest, z)
                j += 1
            }
            // Pass 2: exp(z - max), stored and summed; pass 3: scale.
            let shift = T.Vector(repeating: largest)
            var sumVector = T.Vector.zero
            j = 0
            while j + width <= n {
                let e = T.expNonPositive(SIMDMemory.load(row, j) - shift)
                SIMDMemory.store(e, row, j)
                sumVector += e
                j += width
            }
            var sum = sumVector.sum()
            while j < n {
                row[j] = T.expNonPositive(row[j] - largest)
                sum += row[j]
                j += 1
            }
            SIMDMemory.scale(row, n, by: 1 / sum)
        }
    }

    @Sendable
    static func neuralSortBackward<T: VectorScalar>(_ job: NeuralSortBackwardJob<T>, rows: Range<Int>) {
        let n = job.count, width = T.Vector.scalarCount
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        for i in rows {
            let p = job.matrix + i * n, g = job.matrixGradient + i * n
            let rowDot = T.Vector(repeating: SIMDMemory.dot(p, g, n))
            let coefficient = T.Vector(repeating: job.sign * T(n - 1 - 2 * i))
            var j = 0
            while j + width <= n {
                let t = SIMDMemory.load(p, j) * (SIMDMemory.load(g, j) - rowDot) * inverseTemperature
                SIMDMemory.store(SIMDMemory.load(job.scoreGradient, j) + coefficient * t, job.scoreGradient, j)
                SIMDMemory.store(SIMDMemory.load(job.columnSumGradient, j) - t, job.columnSumGradient, j)
                j += width
            }
            while j < n {
                let t = p[j] * (g[j] - rowDot[0]) * inverseTemperature[0]
                job.scoreGradient[j] += coefficient[0] * t
                job.columnSumGradient[j] -= t
                j += 1
            }
        }
    }

    @Sendable
    static func columnSums<T: VectorScalar>(_ scores: UnsafePointer<T>, _ n: Int, _ sums: UnsafeMutablePointer<T>) {
        let width = T.Vector.scalarCount
        for j in 0..<n {
            let sj = T.Vector(repeating: scores[j])
            var acc = T.Vector.zero
            var k = 0
            while k + width <= n {
                let x = sj - SIMDMemory.load(scores, k)
                acc -= T.negativeMagnitude(x)
                k += width
            }
            var sum = acc.sum()
            while k < n {
                sum += abs(scores[j] - scores[k])
                k += 1
            }
            sums[j] = sum
        }
    }

    @Sendable
    static func columnSumsBackward<T: VectorScalar>(
        _ scores: UnsafePointer<T>, _ n: Int,
        _ sumGradient: UnsafePointer<T>, _ gradient: UnsafeMutablePointer<T>
    ) {
        let width = T.Vector.scalarCount
        for j in 0..<n {
            let sj = T.Vector(repeating: scores[j]), gj = T.Vector(repeating: sumGradient[j])
            var acc = T.Vector.zero
            var k = 0
            while k + width <= n {
                acc += T.signTimes(sj - SIMDMemory.load(scores, k), gj + SIMDMemory.load(sumGradient, k))
                k += width
            }
            var total = acc.sum()
            while k < n {
                total += T.signTimes(sj - T.Vector(repeating: scores[k]), gj + T.Vector(repeating: sumGradient[k]))[0]
                k += 1
            }
            gradient[j] += total
        }
    }
}
