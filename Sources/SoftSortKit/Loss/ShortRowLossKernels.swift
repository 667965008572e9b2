/// The work of one short-row cross-entropy call: a block of `lanes` batch
/// rows (`T.Vector.scalarCount`: 8 `Float`, 4 `Double`), one row per SIMD
/// lane, starting at batch row `first`.
///
/// For rows of a few dozen elements a row of `P` is shorter than a vector or
/// two, so a kernel that runs along a row spends its time in tails,
/// horizontal sums and per-row calls. The short-row kernels run across rows
/// instead: every vector holds one element of `lanes` different batch rows,
/// so every vector operation is full whatever `n` is, and a row's whole
/// work (its sort, the `n^2` entries of its `P`, the loss, the backward)
/// happens in one call on a tile that stays in L1.
///
/// Per block, with `S[j]` the vector of the rows' `j`-th scores:
///
///     rank[j]   = #{k : k sorts before j}          (n^2 branch-free comparisons)
///     target[j] = t[rank[j]]                       (the target of the row of P centred on s_j)
///     e_ij      = exp(-|s_i - s_j|^p / tau),  Z_i = sum_j e_ij
///     loss_i    = |s_i - s_(target[i])|^p / tau + log Z_i     (in Double)
///     u_ij      = d'(s_i - s_j) (e_ij / Z_i - [j = target[i]]) / tau
///     grad[j]  += u_ij,  grad[i] -= sum_j u_ij
///
/// The row of `P` at rank `r` is centred on the score of rank `r`, so
/// indexing rows by the centre's column `i` (rank `rank[i]`) gives the same
/// loss and lets the centre's gradient land on its own column: no sorted
/// copy and no scatter through the permutation. Keys are (value, index), so
/// ties rank as the stable sort ranks them and the result equals the fused
/// path's row by row. `log Z` is taken once per lane per block, of the
/// product of the block's `Z_i` in `Double` (each `Z_i` is in `[1, n]`, so
/// the product of at most `maximumCount` of them stays below `2^384`).
package struct ShortRowLossJob<T>: @unchecked Sendable {
    package var scores: UnsafePointer<T>
    /// `t[b n + r]`, the column row `r` of batch row `b` should pick.
    package var targets: UnsafePointer<Int>
    /// `4 n lanes` elements private to the call (the tile).
    package var scratch: UnsafeMutablePointer<T>
    /// Rows `first ..< first + lanes` (those inside the batch) are written.
    package var gradient: UnsafeMutablePointer<T>
    package var batch: Int
    package var count: Int
    package var first: Int
    package var temperature: T
    package var power: DistancePower
    package var descending: Bool
}

/// The `simd` short-row cross-entropy (`ShortRowLossJob`): portable Swift
/// SIMD, `T.Vector` lanes across batch rows.
enum ShortRowLossKernels {
    /// The longest row the short-row kernels take: the tile is `4 n` vectors
    /// (8 KiB for `Float` at `n = 64`) and the product of the `Z_i` stays finite.
    static let maximumCount = 64

    /// Elements of scratch one call needs.
    static func scratchCount<T: VectorScalar>(_: T.Type, count n: Int) -> Int { 4 * n * T.Vector.scalarCount }

    @Sendable
    static func softSortCrossEntropy<T: VectorScalar>(_ job: ShortRowLossJob<T>) -> Double {
        switch job.power {
        case .one:
            return crossEntropy(job, { T.negativeMagnitude($0) }, { x, t in T.signTimes(x, t) })
        case .two:
            return crossEntropy(job, { -($0 * $0) }, { x, t in (x + x) * t })
        case .general(let p):
            let power = T(p)
            return crossEntropy(
                job, { Distance.negativeGeneral($0, power) },
                { x, t in Distance.derivativeTimesGeneral(x, t, job.power) })
        }
    }

    @inline(__always)
    static func crossEntropy<T: VectorScalar>(
        _ job: ShortRowLossJob<T>,
        _ negativeDistance: (T.Vector) -> T.Vector,
        _ derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) -> Double {
        let w = T.Vector.scalarCount, n = job.count
        let lanes = min(w, job.batch - job.first)
        let tile = job.scratch, rank = tile + n * w, e = tile + 2 * n * w, g = tile + 3 * n * w
        // Lane l holds batch row first + l; lanes past the batch repeat its
        // last row (computed, never stored).
        for l in 0..<w {
            let row = (job.first + min(l, lanes - 1)) * n
            for j in 0..<n { tile[j * w + l] = job.scores[row + j] }
        }
        ranks(tile, rank, n, job.descending)
        // The target of the row centred on s_j: t[rank[j]], lane by lane.
        for l in 0..<w {
            let row = (job.first + min(l, lanes - 1)) * n
            for j in 0..<n { rank[j * w + l] = T(job.targets[row + Int(rank[j * w + l])]) }
        }
        g.initialize(repeating: 0, count: n * w)
        let inverseTemperature = T.Vector(repeating: 1 / job.temperature)
        return blockLoss(job, tile, rank, e, g, inverseTemperature, negativeDistance, derivativeTimes)
    }

    /// `rank[j]` (as `T`) for every lane: the number of `k` whose key
    /// (value, index) sorts before `j`'s, branch-free. `sign(d)` with
    /// `sign(+-0) = 0`, so `-0` and `+0` tie, as `==` has them.
    @inline(__always)
    static func ranks<T: VectorScalar>(
        _ tile: UnsafeMutablePointer<T>, _ rank: UnsafeMutablePointer<T>, _ n: Int, _ descending: Bool
    ) {
        let w = T.Vector.scalarCount, one = T.Vector(repeating: 1), zero = T.Vector.zero
        let direction = T.Vector(repeating: descending ? 1 : -1)
        for j in 0..<n {
            let sj = SIMDMemory.load(tile, j * w)
            var count = zero
            // k < j sorts before j when d >= 0, k > j when d > 0, where d > 0
            // means s_k sorts strictly before s_j.
            for k in 0..<j {
                let sign = T.signTimes(SIMDMemory.load(tile, k * w) - sj, direction)
                count += one - T.maximum(zero - sign, zero)
            }
            for k in (j + 1)..<max(n, j + 1) {
                let sign = T.signTimes(SIMDMemory.load(tile, k * w) - sj, direction)
                count += T.maximum(sign, zero)
            }
            SIMDMemory.store(count, rank, j * w)
        }
    }

    /// The fused forward, loss and backward of the block's rows of `P`;
    /// writes the gradient rows and returns the block's loss.
    @inline(__always)
    static func blockLoss<T: VectorScalar>(
        _ job: ShortRowLossJob<T>, _ tile: UnsafeMutablePointer<T>, _ target: UnsafeMutablePointer<T>,
        _ e: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>, _ inverseTemperature: T.Vector,
        _ negativeDistance: (T.Vector) -> T.Vector,
        _ derivativeTimes: (_ x: T.Vector, _ t: T.Vector) -> T.Vector
    ) -> Double {
        let w = T.Vector.scalarCount, n = job.count, tau = job.temperature
        let lanes = min(w, job.batch - job.first)
        // Per lane: the product of the Z_i and the sum of the picked distances.
        var product = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        var distance = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        withUnsafeMutableBytes(of: &product) { productBytes in
        withUnsafeMutableBytes(of: &distance) { distanceBytes in
            let products = productBytes.bindMemory(to: Double.self), distances = distanceBytes.bindMemory(to: Double.self)
            for l in 0..<w { products[l] = 1 }
            for i in 0..<n {
                let c = SIMDMemory.load(tile, i * w)
                var sum0 = T.Vector.zero, sum1 = T.Vector.zero
                var j = 0
                while j + 2 <= n {
                    let e0 = T.expNonPositive(negativeDistance(c - SIMDMemory.load(tile, j * w)) * inverseTemperature)
                    let e1 = T.expNonPositive(negativeDistance(c - SIMDMemory.load(tile, (j + 1) * w)) * inverseTemperature)
                    SIMDMemory.store(e0, e, j * w)
                    SIMDMemory.store(e1, e, (j + 1) * w)
                    sum0 += e0
                    sum1 += e1
                    j += 2
                }
                if j < n {
                    let e0 = T.expNonPositive(negativeDistance(c - SIMDMemory.load(tile, j * w)) * inverseTemperature)
                    SIMDMemory.store(e0, e, j * w)
                    sum0 += e0
                }
                let sum = sum0 + sum1
                let factor = inverseTemperature / sum
                var centre0 = T.Vector.zero, centre1 = T.Vector.zero
                j = 0
                while j + 2 <= n {
                    let u0 = derivativeTimes(c - SIMDMemory.load(tile, j * w), SIMDMemory.load(e, j * w) * factor)
                    let u1 = derivativeTimes(
                        c - SIMDMemory.load(tile, (j + 1) * w), SIMDMemory.load(e, (j + 1) * w) * factor)
                    SIMDMemory.store(SIMDMemory.load(g, j * w) + u0, g, j * w)
                    SIMDMemory.store(SIMDMemory.load(g, (j + 1) * w) + u1, g, (j + 1) * w)
                    centre0 += u0
                    centre1 += u1
                    j += 2
                }
                if j < n {
                    let u0 = derivativeTimes(c - SIMDMemory.load(tile, j * w), SIMDMemory.load(e, j * w) * factor)
                    SIMDMemory.store(SIMDMemory.load(g, j * w) + u0, g, j * w)
                    centre0 += u0
                }
                SIMDMemory.store(SIMDMemory.load(g, i * w) - (centre0 + centre1), g, i * w)
                // Per lane: the one-hot part of dL/dz = P - onehot, the
                // picked distance and Z_i into the product.
                for l in 0..<w {
                    let t = Int(target[i * w + l]), ci = tile[i * w + l], st = tile[t * w + l]
                    let u = Distance.derivative(ci - st, job.power) / tau
                    g[t * w + l] -= u
                    g[i * w + l] += u
                    distances[l] += Distance.value(Double(ci) - Double(st), job.power)
                    products[l] *= Double(sum[l])
                }
            }
            for l in 0..<lanes {
                let row = (job.first + l) * job.count
                for j in 0..<n { job.gradient[row + j] = g[j * w + l] }
            }
        }}
        var loss = 0.0
        withUnsafeBytes(of: &product) { productBytes in
        withUnsafeBytes(of: &distance) { distanceBytes in
            let products = productBytes.bindMemory(to: Double.self), distances = distanceBytes.bindMemory(to: Double.self)
            for l in 0..<lanes { loss += distances[l] / Double(tau) + Double.libmLog(products[l]) }
        }}
        return loss
    }
}
