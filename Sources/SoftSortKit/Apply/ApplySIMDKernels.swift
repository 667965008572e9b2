/// The `simd` apply kernels: the Swift SIMD `exp` over tiles of `P` in the
/// call's scratch, never the whole matrix.
enum ApplySIMDKernels {

    @Sendable
    static func forward<T: VectorScalar>(_ job: ApplyForwardJob<T>, rows: Range<Int>) {
        switch job.power {
        case .one: forward(job, rows) { T.negativeMagnitude($0) }
        case .two: forward(job, rows) { -($0 * $0) }
        case .general(let p):
            let power = T(p)
            forward(job, rows) { x in Distance.negativeGeneral(x, power) }
        }
    }

    @inline(__always)
    static func forward<T: VectorScalar>(
        _ job: ApplyForwardJob<T>, _ rows: Range<Int>, negativeDistance: (T.Vector) -> T.Vector
    ) {
        let n = job.count, d = job.dimension
        let tile = ApplyTiling.tileSize(count: n, columnTile: job.columnTile)
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        let buffer = job.scratch
        for block in stride(from: rows.lowerBound, to: rows.upperBound, by: ApplyTiling.rowBlock) {
            let blockRows = block ..< min(block + ApplyTiling.rowBlock, rows.upperBound)
            for i in blockRows {
                job.normalizers[i] = 0
                (job.output + i * d).initialize(repeating: 0, count: d)
            }
            for j0 in stride(from: 0, to: n, by: tile) {
                let w = min(tile, n - j0)
                for i in blockRows {
                    job.normalizers[i] += SIMDRowKernels.expRow(
                        job.scores + j0, job.centres[i], buffer, w, inverseTemperature, T.Vector(repeating: 1),
                        negativeDistance)
                    for k in 0..<d {
                        job.output[i * d + k] += SIMDMemory.dot(UnsafePointer(buffer), job.values + k * n + j0, w)
                    }
                }
            }
            for i in blockRows {
                let inverse = 1 / job.normalizers[i]
                for k in 0..<d { job.output[i * d + k] *= inverse }
            }
        }
    }

    @Sendable
    static func backward<T: VectorScalar>(_ job: ApplyBackwardJob<T>, rows: Range<Int>) {
        switch job.power {
        case .one:
            backward(job, rows, negativeDistance: { T.negativeMagnitude($0) }, derivativeTimes: { x, t in T.signTimes(x, t) })
        case .two:
            backward(job, rows, negativeDistance: { -($0 * $0) }, derivativeTimes: { x, t in (x + x) * t })
        case .general(let p):
            let power = T(p)
            backward(
                job, rows, negativeDistance: { x in Distance.negativeGeneral(x, power) },
                derivativeTimes: { x, t in Distance.derivativeTimesGeneral(x, t, job.power) })
        }
    }

    @inline(__always)
    static func backward<T: VectorScalar>(
        _ job: ApplyBackwardJob<T>, _ rows: Range<Int>,
        negativeDistance: (T.Vector) -> T.Vector, derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) {
        let n = job.count, d = job.dimension, width = T.Vector.scalarCount
        let tile = ApplyTiling.tileSize(count: n, columnTile: job.columnTile)
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        let probabilities = job.scratch, products = job.scratch + tile
        for block in stride(from: rows.lowerBound, to: rows.upperBound, by: ApplyTiling.rowBlock) {
            let blockRows = block ..< min(block + ApplyTiling.rowBlock, rows.upperBound)
            for i in blockRows { job.centreGradient[i] = 0 }
            for j0 in stride(from: 0, to: n, by: tile) {
                let w = min(tile, n - j0)
                let s = job.scores + j0, ds = job.scoreGradient + j0
                for i in blockRows {
                    let g = job.outputGradient + i * d
                    let centre = T.Vector(repeating: job.centres[i])
                    let dot = T.Vector(repeating: job.outputDots[i])
                    // P for the tile, then <G_i, V_j>, then the update.
                    _ = SIMDRowKernels.expRow(
                        s, job.centres[i], probabilities, w, inverseTemperature,
                        T.Vector(repeating: 1 / job.normalizers[i]), negativeDistance)
                    products.initialize(repeating: 0, count: w)
                    for k in 0..<d { SIMDMemory.accumulate(products, job.values + k * n + j0, g[k], w) }
                    var centreSum = T.Vector.zero
                    var j = 0
                    while j + width <= w {
                        let t = SIMDMemory.load(probabilities, j) * (SIMDMemory.load(products, j) - dot) * inverseTemperature
                        let u = derivativeTimes(centre - SIMDMemory.load(s, j), t)
                        SIMDMemory.store(SIMDMemory.load(ds, j) + u, ds, j)
                        centreSum -= u
                        j += width
                    }
                    var centreGradient = centreSum.sum()
                    while j < w {
                        let t = T.Vector(repeating: probabilities[j] * (products[j] - dot[0])) * inverseTemperature
                        let u = derivativeTimes(centre - T.Vector(repeating: s[j]), t)[0]
                        ds[j] += u
                        centreGradient -= u
                        j += 1
                    }
                    job.centreGradient[i] += centreGradient
                    for k in 0..<d { SIMDMemory.accumulate(job.valueGradient + k * n + j0, probabilities, g[k], w) }
                }
            }
        }
    }
}
