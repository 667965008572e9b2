/// One batch row of the fused apply `Y = P V` over a range of rows:
///
///     e_ij = exp(-|c_i - s_j|^p / tau),  Z_i = sum_j e_ij,  Y_i = sum_j e_ij V_j / Z_i
///
/// `P` is never stored: rows are taken in blocks of `ApplyKernels.rowBlock`
/// against tiles of `columnTile` columns (0: whole rows), so a tile's scores
/// and values stay in cache while the block's rows use them. `values` is `V`
/// transposed, `dimension x count` (column `k` of `V` at `values + k * count`),
/// so every column loop is contiguous. A call writes `output` (`count x
/// dimension`) and `normalizers` (`Z_i`) at its own rows only.
struct ApplyForwardJob<T>: @unchecked Sendable {
    // @unchecked: plain pointers. A call writes only its own rows of `output`
    // and `normalizers`, so disjoint row ranges never share a write.
    var scores: UnsafePointer<T>
    var centres: UnsafePointer<T>
    var values: UnsafePointer<T>
    var output: UnsafeMutablePointer<T>
    var normalizers: UnsafeMutablePointer<T>
    var count: Int
    var dimension: Int
    var temperature: T
    var power: DistancePower
    var columnTile: Int
}

/// The apply backward over a range of rows, given `G = dL/dY` and
/// `dot_i = <G_i, Y_i>`, with `P_ij = e_ij / Z_i` recomputed tile by tile:
///
///     D_ij                     = P_ij (<G_i, V_j> - dot_i)
///     scoreGradient[j]        += sum_i D_ij d'(c_i - s_j) / tau
///     centreGradient[i]        = -sum_j D_ij d'(c_i - s_j) / tau
///     valueGradient[k, j]     += sum_i P_ij G_ik         (transposed, d x n)
///
/// `scoreGradient` and `valueGradient` are accumulators private to the call.
struct ApplyBackwardJob<T>: @unchecked Sendable {
    // @unchecked: plain pointers; the accumulators are private to one call and
    // `centreGradient` is written only at the call's own rows.
    var scores: UnsafePointer<T>
    var centres: UnsafePointer<T>
    var values: UnsafePointer<T>
    var normalizers: UnsafePointer<T>
    var outputDots: UnsafePointer<T>
    var outputGradient: UnsafePointer<T>
    var scoreGradient: UnsafeMutablePointer<T>
    var valueGradient: UnsafeMutablePointer<T>
    var centreGradient: UnsafeMutablePointer<T>
    var count: Int
    var dimension: Int
    var temperature: T
    var power: DistancePower
    var columnTile: Int
}

/// The apply kernels of one backend for one element type (the apply's
/// counterpart of `_RowKernels`).
struct ApplyKernelTable<T>: Sendable {
    /// The backend these kernels belong to.
    let backend: Backend
    let forward: @Sendable (ApplyForwardJob<T>, Range<Int>) -> Void
    let backward: @Sendable (ApplyBackwardJob<T>, Range<Int>) -> Void
}

extension ApplyKernelTable where T: VectorScalar {
    static func make(_ backend: Backend) -> ApplyKernelTable<T> {
        switch backend {
        case .scalar:
            return ApplyKernelTable(backend: .scalar, forward: ApplyKernels.scalarForward, backward: ApplyKernels.scalarBackward)
        case .avx2:
            // Float on a CPU with AVX2: the C kernels (AVX2Kernels.swift).
            // Double has no C kernels and runs the simd ones, reporting `.simd`.
            if let table = AVX2Kernels.applyTable(for: T.self) { return table }
            fallthrough
        case .simd:
            return ApplyKernelTable(backend: .simd, forward: ApplyKernels.simdForward, backward: ApplyKernels.simdBackward)
        }
    }
}

extension ApplyKernelTable {
    /// The table for `backend` and a `SoftSortScalar` (only `Float` and `Double` conform).
    static func kernels<S: SoftSortScalar>(_ backend: Backend, as _: S.Type) -> ApplyKernelTable<S> {
        if S.self == Float.self { return ApplyKernelTable<Float>.make(backend) as! ApplyKernelTable<S> }
        return ApplyKernelTable<Double>.make(backend) as! ApplyKernelTable<S>
    }
}

/// The Swift apply kernels: `scalar` (libm `exp`, one element at a time) and
/// `simd` (the `simd` backend's vector `exp`, a tile buffer for `P`).
enum ApplyKernels {
    /// Rows per block: a column tile is reused by this many rows.
    static let rowBlock = 32
    /// The default columns per tile: 2048 scores and values of `Float` (16 KiB
    /// for `d = 1`) stay in L1 while a block of rows runs over them.
    static let defaultColumnTile = 2048

    // MARK: scalar

    @Sendable
    static func scalarForward<T: VectorScalar>(_ job: ApplyForwardJob<T>, rows: Range<Int>) {
        let n = job.count, d = job.dimension
        for i in rows {
            var z: T = 0
            let y = job.output + i * d
            y.initialize(repeating: 0, count: d)
            for j in 0..<n {
                let e = T.libmExp(-ScalarKernels.distance(job.centres[i] - job.scores[j], job.power) / job.temperature)
                z += e
                for k in 0..<d { y[k] += e * job.values[k * n + j] }
            }
            job.normalizers[i] = z
            for k in 0..<d { y[k] /= z }
        }
    }

    @Sendable
    static func scalarBackward<T: VectorScalar>(_ job: ApplyBackwardJob<T>, rows: Range<Int>) {
        let n = job.count, d = job.dimension
        for i in rows {
            let g = job.outputGradient + i * d
            var centre: T = 0
            for j in 0..<n {
                let x = job.centres[i] - job.scores[j]
                let p = T.libmExp(-ScalarKernels.distance(x, job.power) / job.temperature) / job.normalizers[i]
                var gv: T = 0
                for k in 0..<d { gv += g[k] * job.values[k * n + j] }
                let t = p * (gv - job.outputDots[i]) * ScalarKernels.distanceDerivative(x, job.power) / job.temperature
                job.scoreGradient[j] += t
                centre -= t
                for k in 0..<d { job.valueGradient[k * n + j] += p * g[k] }
            }
            job.centreGradient[i] = centre
        }
    }

    // MARK: simd

    @Sendable
    static func simdForward<T: VectorScalar>(_ job: ApplyForwardJob<T>, rows: Range<Int>) {
        switch job.power {
        case .one: simdForward(job, rows) { T.negativeMagnitude($0) }
        case .two: simdForward(job, rows) { -($0 * $0) }
        case .general(let p):
            let power = T(p)
            simdForward(job, rows) { x in
                var z = T.Vector.zero
                for lane in z.indices { z[lane] = -T.libmPow(abs(x[lane]), power) }
                return z
            }
        }
    }

    /// `out[j] = exp(negativeDistance(c - s_j) / tau) * factor` over one tile;
    /// returns the sum of `out`.
    @inline(__always)
    static func expTile<T: VectorScalar>(
        _ s: UnsafePointer<T>, _ centre: T, _ out: UnsafeMutablePointer<T>, _ w: Int,
        _ inverseTemperature: T.Vector, _ factor: T.Vector, _ negativeDistance: (T.Vector) -> T.Vector
    ) -> T {
        let width = T.Vector.scalarCount
        let c = T.Vector(repeating: centre)
        var sum0 = T.Vector.zero, sum1 = T.Vector.zero
        var j = 0
        while j + 2 * width <= w {
            let e0 = T.expNonPositive(negativeDistance(c - SIMDKernels.load(s, j)) * inverseTemperature) * factor
            let e1 = T.expNonPositive(negativeDistance(c - SIMDKernels.load(s, j + width)) * inverseTemperature) * factor
            SIMDKernels.store(e0, out, j)
            SIMDKernels.store(e1, out, j + width)
            sum0 += e0
            sum1 += e1
            j += 2 * width
        }
        if j + width <= w {
            let e0 = T.expNonPositive(negativeDistance(c - SIMDKernels.load(s, j)) * inverseTemperature) * factor
            SIMDKernels.store(e0, out, j)
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

    @inline(__always)
    static func tileSize(_ job: (count: Int, columnTile: Int)) -> Int {
        job.columnTile <= 0 || job.columnTile > job.count ? max(job.count, 1) : job.columnTile
    }

    @inline(__always)
    static func simdForward<T: VectorScalar>(
        _ job: ApplyForwardJob<T>, _ rows: Range<Int>, negativeDistance: (T.Vector) -> T.Vector
    ) {
        let n = job.count, d = job.dimension
        let tile = tileSize((n, job.columnTile))
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        let buffer = UnsafeMutablePointer<T>.allocate(capacity: tile)
        defer { buffer.deallocate() }
        for block in stride(from: rows.lowerBound, to: rows.upperBound, by: rowBlock) {
            let blockRows = block ..< min(block + rowBlock, rows.upperBound)
            for i in blockRows {
                job.normalizers[i] = 0
                (job.output + i * d).initialize(repeating: 0, count: d)
            }
            for j0 in stride(from: 0, to: n, by: tile) {
                let w = min(tile, n - j0)
                for i in blockRows {
                    job.normalizers[i] += expTile(
                        job.scores + j0, job.centres[i], buffer, w, inverseTemperature, T.Vector(repeating: 1),
                        negativeDistance)
                    for k in 0..<d {
                        job.output[i * d + k] += SIMDKernels.dot(UnsafePointer(buffer), job.values + k * n + j0, w)
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
    static func simdBackward<T: VectorScalar>(_ job: ApplyBackwardJob<T>, rows: Range<Int>) {
        switch job.power {
        case .one:
            simdBackward(job, rows, negativeDistance: { T.negativeMagnitude($0) }, derivativeTimes: { x, t in T.signTimes(x, t) })
        case .two:
            simdBackward(job, rows, negativeDistance: { -($0 * $0) }, derivativeTimes: { x, t in (x + x) * t })
        case .general(let p):
            let power = T(p)
            simdBackward(job, rows, negativeDistance: { x in
                var z = T.Vector.zero
                for lane in z.indices { z[lane] = -T.libmPow(abs(x[lane]), power) }
                return z
            }, derivativeTimes: { x, t in
                var u = T.Vector.zero
                for lane in u.indices { u[lane] = ScalarKernels.distanceDerivative(x[lane], job.power) * t[lane] }
                return u
            })
        }
    }

    @inline(__always)
    static func simdBackward<T: VectorScalar>(
        _ job: ApplyBackwardJob<T>, _ rows: Range<Int>,
        negativeDistance: (T.Vector) -> T.Vector, derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) {
        let n = job.count, d = job.dimension, width = T.Vector.scalarCount
        let tile = tileSize((n, job.columnTile))
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        let probabilities = UnsafeMutablePointer<T>.allocate(capacity: tile)
        let products = UnsafeMutablePointer<T>.allocate(capacity: tile)
        defer {
            probabilities.deallocate()
            products.deallocate()
        }
        for block in stride(from: rows.lowerBound, to: rows.upperBound, by: rowBlock) {
            let blockRows = block ..< min(block + rowBlock, rows.upperBound)
            for i in blockRows { job.centreGradient[i] = 0 }
            for j0 in stride(from: 0, to: n, by: tile) {
                let w = min(tile, n - j0)
                let s = job.scores + j0, ds = job.scoreGradient + j0
                for i in blockRows {
                    let g = job.outputGradient + i * d
                    let centre = T.Vector(repeating: job.centres[i])
                    let dot = T.Vector(repeating: job.outputDots[i])
                    // P for the tile, then <G_i, V_j>, then the update.
                    _ = expTile(
                        s, job.centres[i], probabilities, w, inverseTemperature,
                        T.Vector(repeating: 1 / job.normalizers[i]), negativeDistance)
                    products.initialize(repeating: 0, count: w)
                    for k in 0..<d { SharedKernels.accumulate(products, job.values + k * n + j0, g[k], w) }
                    var centreSum = T.Vector.zero
                    var j = 0
                    while j + width <= w {
                        let t = SIMDKernels.load(probabilities, j) * (SIMDKernels.load(products, j) - dot) * inverseTemperature
                        let u = derivativeTimes(centre - SIMDKernels.load(s, j), t)
                        SIMDKernels.store(SIMDKernels.load(ds, j) + u, ds, j)
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
                    for k in 0..<d { SharedKernels.accumulate(job.valueGradient + k * n + j0, probabilities, g[k], w) }
                }
            }
        }
    }
}
