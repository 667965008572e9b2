/// The `simd` fused-loss kernels: portable Swift SIMD (`SIMD8<Float>`,
/// `SIMD4<Double>`). Per row of `P`: one pass that stores the row's `exp`s
/// in the row buffer and sums them (`SIMDRowKernels.expRow`, the dense
/// forward's loop), then one pass over the buffer that forms `dL/dz` and
/// adds it, through the logits, to the column and centre gradients. The row
/// buffer is reused for every row, so it stays in L1.
enum SIMDLossKernels {
    // MARK: SoftSort cross-entropy

    @Sendable
    static func softSortCrossEntropy<T: VectorScalar>(_ job: SoftSortLossJob<T>, rows: Range<Int>) -> Double {
        switch job.power {
        case .one:
            return softSortCrossEntropy(job, rows, { T.negativeMagnitude($0) }, { x, t in T.signTimes(x, t) })
        case .two:
            return softSortCrossEntropy(job, rows, { -($0 * $0) }, { x, t in (x + x) * t })
        case .general(let p):
            let power = T(p)
            return softSortCrossEntropy(
                job, rows, { Distance.negativeGeneral($0, power) },
                { x, t in Distance.derivativeTimesGeneral(x, t, job.power) })
        }
    }

    @inline(__always)
    static func softSortCrossEntropy<T: VectorScalar>(
        _ job: SoftSortLossJob<T>, _ rows: Range<Int>,
        _ negativeDistance: (T.Vector) -> T.Vector,
        _ derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) -> Double {
        let n = job.count
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature), one = T.Vector(repeating: 1)
        var loss = 0.0
        for i in rows {
            let centre = job.centres[i]
            let sum = SIMDRowKernels.expRow(job.scores, centre, job.rowBuffer, n, inverseTemperature, one, negativeDistance)
            let t = job.targets[i]
            loss += Distance.value(Double(centre) - Double(job.scores[t]), job.power) / Double(job.temperature)
                + Double.libmLog(Double(sum))
            let centreGradient = gradientPass(
                job.scores, centre, job.rowBuffer, n, T.Vector(repeating: 1 / sum) * inverseTemperature,
                job.columnGradient, derivativeTimes)
            // The one-hot part of g = P - onehot.
            let u = derivativeTimes(T.Vector(repeating: centre - job.scores[t]), inverseTemperature)[0]
            job.columnGradient[t] -= u
            job.centreGradient[i] = centreGradient + u
        }
        return loss
    }

    /// `u_j = d'(c - s_j) e_j factor_j`: `columnGradient[j] += u_j`; returns
    /// `-sum_j u_j`. `factor` is one vector for every `j`.
    @inline(__always)
    static func gradientPass<T: VectorScalar>(
        _ s: UnsafePointer<T>, _ centre: T, _ e: UnsafeMutablePointer<T>, _ n: Int, _ factor: T.Vector,
        _ columnGradient: UnsafeMutablePointer<T>, _ derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) -> T {
        let width = T.Vector.scalarCount, c = T.Vector(repeating: centre)
        var sum0 = T.Vector.zero, sum1 = T.Vector.zero
        var j = 0
        while j + 2 * width <= n {
            let u0 = derivativeTimes(c - SIMDMemory.load(s, j), SIMDMemory.load(e, j) * factor)
            let u1 = derivativeTimes(c - SIMDMemory.load(s, j + width), SIMDMemory.load(e, j + width) * factor)
            SIMDMemory.store(SIMDMemory.load(columnGradient, j) + u0, columnGradient, j)
            SIMDMemory.store(SIMDMemory.load(columnGradient, j + width) + u1, columnGradient, j + width)
            sum0 += u0
            sum1 += u1
            j += 2 * width
        }
        if j + width <= n {
            let u0 = derivativeTimes(c - SIMDMemory.load(s, j), SIMDMemory.load(e, j) * factor)
            SIMDMemory.store(SIMDMemory.load(columnGradient, j) + u0, columnGradient, j)
            sum0 += u0
            j += width
        }
        var total = (sum0 + sum1).sum()
        while j < n {
            let u = derivativeTimes(T.Vector(repeating: centre - s[j]), T.Vector(repeating: e[j]) * factor)[0]
            columnGradient[j] += u
            total += u
            j += 1
        }
        return -total
    }

    // MARK: SoftSort kNN

    @Sendable
    static func nearestNeighbors<T: VectorScalar>(_ job: NearestNeighborLossJob<T>, rows: Range<Int>) -> Double {
        switch job.power {
        case .one:
            return nearestNeighbors(job, rows, { T.negativeMagnitude($0) }, { x, t in T.signTimes(x, t) })
        case .two:
            return nearestNeighbors(job, rows, { -($0 * $0) }, { x, t in (x + x) * t })
        case .general(let p):
            let power = T(p)
            return nearestNeighbors(
                job, rows, { Distance.negativeGeneral($0, power) },
                { x, t in Distance.derivativeTimesGeneral(x, t, job.power) })
        }
    }

    @inline(__always)
    static func nearestNeighbors<T: VectorScalar>(
        _ job: NearestNeighborLossJob<T>, _ rows: Range<Int>,
        _ negativeDistance: (T.Vector) -> T.Vector,
        _ derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) -> Double {
        let n = job.count, width = T.Vector.scalarCount
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature), one = T.Vector(repeating: 1)
        let e = job.rowBuffer, y = job.matches, s = job.scores
        var total = 0.0
        for i in rows {
            let centre = job.centres[i], c = T.Vector(repeating: centre)
            let sum = SIMDRowKernels.expRow(s, centre, e, n, inverseTemperature, one, negativeDistance)
            let inverseSum = 1 / sum
            let mean = SIMDMemory.dot(e, y, n) * inverseSum
            total += Double(mean)
            // u_j = d'(c - s_j) w P_j (y_j - m) / tau.
            let factor = T.Vector(repeating: job.weight * inverseSum) * inverseTemperature
            let m = T.Vector(repeating: mean)
            var centreSum = T.Vector.zero
            var j = 0
            while j + width <= n {
                let g = SIMDMemory.load(e, j) * (SIMDMemory.load(y, j) - m) * factor
                let u = derivativeTimes(c - SIMDMemory.load(s, j), g)
                SIMDMemory.store(SIMDMemory.load(job.columnGradient, j) + u, job.columnGradient, j)
                centreSum -= u
                j += width
            }
            var centreGradient = centreSum.sum()
            while j < n {
                let g = T.Vector(repeating: e[j] * (y[j] - mean)) * factor
                let u = derivativeTimes(T.Vector(repeating: centre - s[j]), g)[0]
                job.columnGradient[j] += u
                centreGradient -= u
                j += 1
            }
            job.centreGradient[i] = centreGradient
        }
        return total
    }

    // MARK: NeuralSort cross-entropy

    /// NeuralSort's rows subtract the row's largest numerator
    /// `w_j = a_i s_j - columnSums_j` before dividing by `tau` (as
    /// `WideLogitKernels` does for the forward): `(w_j - max w) / tau <= 0`
    /// never overflows to `inf - inf`, whatever `3 n max|s| / tau` is.
    @Sendable
    static func neuralSortCrossEntropy<T: VectorScalar>(_ job: NeuralSortLossJob<T>, rows: Range<Int>) -> Double {
        let n = job.count, width = T.Vector.scalarCount
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        let row = job.rowBuffer, s = job.scores, columnSums = job.columnSums
        var loss = 0.0
        for i in rows {
            let coefficient = T.Vector(repeating: job.sign * T(n - 1 - 2 * i))
            // Pass 1: the numerators and their maximum.
            var largestVector = T.Vector(repeating: -T.infinity)
            var j = 0
            while j + width <= n {
                let w = coefficient * SIMDMemory.load(s, j) - SIMDMemory.load(columnSums, j)
                SIMDMemory.store(w, row, j)
                largestVector = T.maximum(largestVector, w)
                j += width
            }
            var largest = largestVector.max()
            while j < n {
                let w = coefficient[0] * s[j] - columnSums[j]
                row[j] = w
                largest = max(largest, w)
                j += 1
            }
            let t = job.targets[i], target = row[t]
            // Pass 2: exp((w - max) / tau), stored and summed.
            let shift = T.Vector(repeating: largest)
            var sum0 = T.Vector.zero, sum1 = T.Vector.zero
            j = 0
            while j + 2 * width <= n {
                let e0 = T.expNonPositive((SIMDMemory.load(row, j) - shift) * inverseTemperature)
                let e1 = T.expNonPositive((SIMDMemory.load(row, j + width) - shift) * inverseTemperature)
                SIMDMemory.store(e0, row, j)
                SIMDMemory.store(e1, row, j + width)
                sum0 += e0
                sum1 += e1
                j += 2 * width
            }
            if j + width <= n {
                let e0 = T.expNonPositive((SIMDMemory.load(row, j) - shift) * inverseTemperature)
                SIMDMemory.store(e0, row, j)
                sum0 += e0
                j += width
            }
            var sum = (sum0 + sum1).sum()
            while j < n {
                row[j] = T.expNonPositive(T.Vector(repeating: row[j] - largest) * inverseTemperature)[0]
                sum += row[j]
                j += 1
            }
            loss += (Double(largest) - Double(target)) / Double(job.temperature) + Double.libmLog(Double(sum))
            // Pass 3: g = P / tau into both accumulators.
            let factor = T.Vector(repeating: 1 / sum) * inverseTemperature
            j = 0
            while j + width <= n {
                let g = SIMDMemory.load(row, j) * factor
                SIMDMemory.store(SIMDMemory.load(job.scoreGradient, j) + coefficient * g, job.scoreGradient, j)
                SIMDMemory.store(SIMDMemory.load(job.columnSumGradient, j) - g, job.columnSumGradient, j)
                j += width
            }
            while j < n {
                let g = row[j] * factor[0]
                job.scoreGradient[j] += coefficient[0] * g
                job.columnSumGradient[j] -= g
                j += 1
            }
            // The one-hot part of g = P - onehot.
            job.scoreGradient[t] -= coefficient[0] * inverseTemperature[0]
            job.columnSumGradient[t] += inverseTemperature[0]
        }
        return loss
    }
}
