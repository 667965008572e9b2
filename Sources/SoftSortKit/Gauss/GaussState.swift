/// What a `p = 2` gauss forward (`Plan.gaussState()`) keeps per batch
/// row, all `Double`, `batch x count` each, rows in sorted order: the sorted
/// scores, their points in bandwidths, `1 / Z_i`, `log Z_i` and the first
/// moments `M1_i = sum_k g(v_i - v_k) (v_i - v_k)` (<doc:GaussTransform>).
/// No `n x n` matrix: every output runs further transforms on these points.
struct GaussState<T: SoftSortScalar>: Sendable {
    let shape: BatchShape
    let direction: SortDirection
    let scheduler: BatchScheduler
    /// The transforms' bound `epsilon` (`GaussPlan`).
    let accuracy: Double
    /// The caller's temperature (the loss reruns from the scores with it).
    let temperature: Double
    /// The caller's scores (the loss delegates to `GaussEngine.crossEntropy`).
    let scores: [T]
    /// `permutation[b n + r]` is the column of rank `r`.
    let permutation: [Int]
    /// `c`: inside, the scores are `s / c` (`ScoreScale` for `Double` at `p = 2`; 1 for `Float`).
    let scale: Double
    /// `h / c`, `h = sqrt(tau)`: the bandwidth in the scaled units.
    let bandwidth: Double
    /// `x_r = s_(perm(r)) / c`.
    let sorted: [Double]
    /// `v_r = sign (x_r - x_0) / (h / c)`, ascending.
    let points: [Double]
    let inverseNormalizers: [Double]
    let logNormalizers: [Double]
    /// `M1_r`, in bandwidths.
    let firstMoments: [Double]
    /// Where every operation on this state keeps its buffers and row
    /// scratch (`nil`: fresh ones each call).
    let workspace: GaussBuffers<T>?

    /// `-1` descending (`v` runs against `x`), `+1` ascending: `x_i - x_k = sign (h / c) (v_i - v_k)`.
    var sign: Double { direction == .descending ? -1 : 1 }

    /// The factor of `dL/ds` in front of every bracket of first moments:
    /// `-2 sign / (h / c)`, then `/ c` back to the caller's scores.
    var gradientFactor: Double { -2 * sign / bandwidth / scale }
}

/// One row's Gauss transform on its points in caller scratch: the plan for
/// the row's extent and count, its cells, and `GaussTransform.run`.
struct GaussRowTransform {
    let transform: GaussTransform

    /// `Double` words of scratch a row of `count` points needs.
    static func scratchWords(count n: Int) -> Int { GaussCells.scratchWords(count: n) }

    /// `words` rounded up to an even count: the cells' `SIMD4<Double>` lanes
    /// need 16-byte alignment, so buffers placed before the transform's
    /// scratch keep it (`scratch + alignedWords(k)` is 16-byte aligned when
    /// `scratch` is).
    static func alignedWords(_ words: Int) -> Int { (words + 1) & ~1 }

    /// The transform of `count >= 1` ascending points.
    init(points v: UnsafePointer<Double>, count n: Int, accuracy: Double, scratch: UnsafeMutableRawPointer) {
        let plan = GaussPlan.make(accuracy: accuracy, extent: v[n - 1] - v[0], count: n)
        transform = GaussTransform(plan: plan, points: v, cells: GaussCells(points: v, count: n, plan: plan, scratch: scratch))
    }

    /// `G1[q]` into `moments` and `G0[q]` into `sums` (when not `nil`); unit weights for `nil`.
    @inline(__always)
    func run(weights: UnsafePointer<Double>?, sums: UnsafeMutablePointer<Double>?, moments: UnsafeMutablePointer<Double>) {
        transform.run(weights: weights, sums: sums, moments: moments)
    }
}

/// The forward of the gauss outputs: sort, points, `Z` and `M1` per row.
enum GaussForward {
    /// `Double` words of scratch one row of `n` needs.
    static func scratchWords(count n: Int) -> Int {
        GaussRowTransform.alignedWords(n) + max(SortedRows.scratchWords(count: n), GaussRowTransform.scratchWords(count: n))
    }

    /// Sorts each row of `scores` and runs the unit-weight transform;
    /// `temperature` is the caller's (checked) one. Rows on `scheduler`, the
    /// same bits for every thread count.
    static func prepare<T: VectorScalar>(
        scores: [T], shape: BatchShape, temperature tau: Double, direction: SortDirection, accuracy: Double,
        scheduler: BatchScheduler, workspace: GaussBuffers<T>?
    ) -> GaussState<T> {
        // Huge `Double` scores are divided by a power of two `c` (exact), the
        // bandwidth with them: `P(s, tau) = P(s / c, tau / c^2)`. `Float`
        // scores never need it in `Double`.
        let largest = Double(Validation.largestMagnitude(scores))
        let scale = ScoreScale<Double>(
            largestMagnitude: largest, limitExponent: ScoreScale<Double>.Bound.distance(power: 2).exponent)
        let c = scale.factor
        let bandwidth = scale.temperature(tau, power: 2).squareRoot()
        let n = shape.count, elements = shape.elements
        // The workspace's buffers, moved out so that they are written in place
        // (every element is written below).
        var buffers = GaussForwardBuffers()
        if let workspace { swap(&buffers, &workspace.forward) }
        buffers.resize(elements: elements)
        let sign: Double = direction == .descending ? -1 : 1
        scores.withBase { s in
        buffers.permutation.withMutableBase { order in
        buffers.sorted.withMutableBase { x in
        buffers.points.withMutableBase { v in
        buffers.inverseNormalizers.withMutableBase { inverse in
        buffers.logNormalizers.withMutableBase { logs in
        buffers.firstMoments.withMutableBase { m1 in
            scheduler.forEachRow(
                shape.batch, work: 64 * elements, scratch: scratchWords(count: n), kept: workspace?.scratch
            ) { b, scratch in
                guard n > 0 else { return }
                let row = b * n
                let sortedScores = scratch.assumingMemoryBound(to: T.self)
                let region = scratch + 8 * GaussRowTransform.alignedWords(n)
                SortedRows.sort(
                    s + row, count: n, direction: direction, order: order + row, sorted: sortedScores, scratch: region,
                    parallel: scheduler.helpers(forItems: shape.batch))
                let x = x + row, v = v + row
                for r in 0..<n { x[r] = Double(sortedScores[r]) / c }
                for r in 0..<n { v[r] = sign * (x[r] - x[0]) / bandwidth }
                let transform = GaussRowTransform(points: v, count: n, accuracy: accuracy, scratch: region)
                let z = inverse + row
                transform.run(weights: nil, sums: z, moments: m1 + row)
                for r in 0..<n {
                    logs[row + r] = Double.libmLog(z[r])
                    z[r] = 1 / z[r]
                }
            }
        }}}}}}}
        workspace?.forward = buffers
        return GaussState(
            shape: shape, direction: direction, scheduler: scheduler, accuracy: accuracy, temperature: tau,
            scores: scores, permutation: buffers.permutation, scale: c, bandwidth: bandwidth, sorted: buffers.sorted,
            points: buffers.points, inverseNormalizers: buffers.inverseNormalizers,
            logNormalizers: buffers.logNormalizers, firstMoments: buffers.firstMoments, workspace: workspace)
    }

    /// `log Z_i` in `T`, rows sorted.
    static func logNormalizers<T: VectorScalar>(_ state: GaussState<T>) -> [T] {
        state.logNormalizers.map { T($0) }
    }
}
