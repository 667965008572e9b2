/// The `simd` backend: portable Swift SIMD kernels (`SIMD8<Float>`,
/// `SIMD4<Double>`), two vectors per main-loop step, a one-vector loop and a
/// scalar tail that uses the same `exp` as the body.
///
/// On x86-64 without a `-target-cpu` flag these compile to SSE; the AVX2 C
/// kernels are the fast path there.
enum SIMDKernels {
    @inline(__always)
    static func load<T: VectorScalar>(_ base: UnsafePointer<T>, _ offset: Int) -> T.Vector {
        UnsafeRawPointer(base + offset).loadUnaligned(as: T.Vector.self)
    }

    @inline(__always)
    static func store<T: VectorScalar>(_ value: T.Vector, _ base: UnsafeMutablePointer<T>, _ offset: Int) {
        UnsafeMutableRawPointer(base + offset).storeBytes(of: value, as: T.Vector.self)
    }

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
            softSortForward(job, rows) { d in
                var z = T.Vector.zero
                for lane in z.indices { z[lane] = -T.libmPow(abs(d[lane]), power) }
                return z
            }
        }
    }

    /// The fused row: `e_j = exp(negativeDistance(c - s_j) / tau)` stored and
    /// summed in one pass over the scores, then one scaling pass. The largest
    /// logit of a SoftSort row is exactly 0, so there is no max pass.
    @inline(__always)
    static func softSortForward<T: VectorScalar>(
        _ job: SoftSortRowJob<T>, _ rows: Range<Int>,
        negativeDistance: (T.Vector) -> T.Vector
    ) {
        let n = job.count, width = T.Vector.scalarCount
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        for i in rows {
            let row = job.matrix + i * n
            let centre = T.Vector(repeating: job.centres[i])
            var sum0 = T.Vector.zero, sum1 = T.Vector.zero
            var j = 0
            while j + 2 * width <= n {
                let e0 = T.expNonPositive(negativeDistance(centre - load(job.scores, j)) * inverseTemperature)
                let e1 = T.expNonPositive(negativeDistance(centre - load(job.scores, j + width)) * inverseTemperature)
                store(e0, row, j)
                store(e1, row, j + width)
                sum0 += e0
                sum1 += e1
                j += 2 * width
            }
            if j + width <= n {
                let e0 = T.expNonPositive(negativeDistance(centre - load(job.scores, j)) * inverseTemperature)
                store(e0, row, j)
                sum0 += e0
                j += width
            }
            var sum = (sum0 + sum1).sum()
            while j < n {
                let z = negativeDistance(centre - T.Vector(repeating: job.scores[j])) * inverseTemperature
                row[j] = T.expNonPositive(z[0])
                sum += row[j]
                j += 1
            }
            scale(row, n, by: 1 / sum)
        }
    }

    @inline(__always)
    static func scale<T: VectorScalar>(_ row: UnsafeMutablePointer<T>, _ n: Int, by factor: T) {
        let width = T.Vector.scalarCount
        let f = T.Vector(repeating: factor)
        var j = 0
        while j + width <= n {
            store(load(row, j) * f, row, j)
            j += width
        }
        while j < n {
            row[j] *= factor
            j += 1
        }
    }

    /// `<a, b>` over `n` elements, two vector accumulators.
    @inline(__always)
    static func dot<T: VectorScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ n: Int) -> T {
        let width = T.Vector.scalarCount
        var acc0 = T.Vector.zero, acc1 = T.Vector.zero
        var j = 0
        while j + 2 * width <= n {
            acc0 += load(a, j) * load(b, j)
            acc1 += load(a, j + width) * load(b, j + width)
            j += 2 * width
        }
        if j + width <= n {
            acc0 += load(a, j) * load(b, j)
            j += width
        }
        var total = (acc0 + acc1).sum()
        while j < n {
            total += a[j] * b[j]
            j += 1
        }
        return total
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
            softSortBackward(job, rows) { x, t in
                var u = T.Vector.zero
                for lane in u.indices {
                    u[lane] = ScalarKernels.distanceDerivative(x[lane], job.power) * t[lane]
                }
                return u
            }
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
            let rowDot = T.Vector(repeating: dot(p, g, n))
            let centre = T.Vector(repeating: job.centres[i])
            var centreSum = T.Vector.zero
            var j = 0
            while j + width <= n {
                let t = load(p, j) * (load(g, j) - rowDot) * inverseTemperature
                let u = derivativeTimes(centre - load(job.scores, j), t)
                store(load(job.columnGradient, j) + u, job.columnGradient, j)
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
                let z = (coefficient * load(job.scores, j) - load(job.columnSums, j)) * inverseTemperature
                store(z, row, j)
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
                let e = T.expNonPositive(load(row, j) - shift)
                store(e, row, j)
                sumVector += e
                j += width
            }
            var sum = sumVector.sum()
            while j < n {
                row[j] = T.expNonPositive(row[j] - largest)
                sum += row[j]
                j += 1
            }
            scale(row, n, by: 1 / sum)
        }
    }

    @Sendable
    static func neuralSortBackward<T: VectorScalar>(_ job: NeuralSortBackwardJob<T>, rows: Range<Int>) {
        let n = job.count, width = T.Vector.scalarCount
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        for i in rows {
            let p = job.matrix + i * n, g = job.matrixGradient + i * n
            let rowDot = T.Vector(repeating: dot(p, g, n))
            let coefficient = T.Vector(repeating: job.sign * T(n - 1 - 2 * i))
            var j = 0
            while j + width <= n {
                let t = load(p, j) * (load(g, j) - rowDot) * inverseTemperature
                store(load(job.scoreGradient, j) + coefficient * t, job.scoreGradient, j)
                store(load(job.columnSumGradient, j) - t, job.columnSumGradient, j)
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
                let x = sj - load(scores, k)
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
                acc += T.signTimes(sj - load(scores, k), gj + load(sumGradient, k))
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
