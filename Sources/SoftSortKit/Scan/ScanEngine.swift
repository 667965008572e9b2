/// What an exact `p = 1` forward keeps: the scores, their sorted order, and
/// per batch row the factors `f`, `L[1]` and `R[1]` of `ScanKernels`, in the
/// block layout of `ScanEngine.blocks` (O(B n) memory, no `n x n` matrix),
/// and the scheduler every later operation runs on.
struct ScanState<T: SoftSortScalar>: Sendable {
    let batch: Int
    let count: Int
    let temperature: T
    let direction: SortDirection
    let scheduler: BatchScheduler
    let scores: [T]
    /// Plain `batch x count`: `permutation[b n + i]` is the column of rank `i`.
    let permutation: [Int]
    /// Block layout, `batch x count` elements each.
    let sorted: [T]
    let factors: [T]
    let left: [T]
    let right: [T]

    /// `d(...)/dx` carries `+1 / tau` descending, `-1 / tau` ascending.
    var gradientScale: T { direction == .descending ? 1 / temperature : -1 / temperature }
}

/// The gradients of one `P V` VJP: `scores` is `batch x count`, `values`
/// `batch x count x d` in the values' own (column) order, `product` (`P V`,
/// rows sorted) when asked for.
struct ScanGradients<T: SoftSortScalar>: Sendable {
    var scores: [T]
    var values: [T]
    var product: [T]
}

/// The exact `p = 1` operations, specialized for one element type, so that
/// the generic public API calls compiled `Float` / `Double` code.
struct ScanOperations<T: SoftSortScalar>: Sendable {
    let prepare: @Sendable (
        _ scores: [T], _ batch: Int, _ count: Int, _ temperature: T, _ direction: SortDirection,
        _ scheduler: BatchScheduler
    ) -> ScanState<T>
    let apply: @Sendable (_ state: ScanState<T>, _ values: [T], _ dimension: Int) -> [T]
    let applyBackward: @Sendable (
        _ state: ScanState<T>, _ values: [T], _ dimension: Int, _ gradient: [T], _ wantProduct: Bool
    ) -> ScanGradients<T>
    let applyTransposed: @Sendable (_ state: ScanState<T>, _ rows: [T], _ dimension: Int) -> [T]
    let crossEntropy: @Sendable (_ state: ScanState<T>, _ targets: [Int]) -> (loss: Double, gradient: [T])
    let logNormalizers: @Sendable (_ state: ScanState<T>) -> [T]

    /// The table for `T` (`Float` or `Double`).
    static var current: ScanOperations<T> {
        if let table = floatScanOperations as? ScanOperations<T> { return table }
        if let table = doubleScanOperations as? ScanOperations<T> { return table }
        fatalError("SoftSortScalar is only Float and Double")
    }
}

private let floatScanOperations = ScanOperations<Float>.make()
private let doubleScanOperations = ScanOperations<Double>.make()

extension ScanOperations where T: ScanScalar {
    static func make() -> ScanOperations<T> {
        ScanOperations(
            prepare: {
                ScanEngine.prepare(
                    scores: $0, batch: $1, count: $2, temperature: $3, direction: $4, scheduler: $5)
            },
            apply: { ScanEngine.apply($0, values: $1, dimension: $2) },
            applyBackward: {
                ScanEngine.applyBackward($0, values: $1, dimension: $2, gradient: $3, wantProduct: $4)
            },
            applyTransposed: { ScanEngine.applyTransposed($0, rows: $1, dimension: $2) },
            crossEntropy: { ScanEngine.crossEntropy($0, targets: $1) },
            logNormalizers: { ScanEngine.logNormalizers($0) })
    }
}

/// The exact `p = 1` path over a batch: sort each row, then run the scans on
/// blocks of batch rows. Full blocks of `T.BatchLanes.laneCount` rows run in
/// SIMD lanes in lockstep; the remaining rows run one at a time. Blocks are
/// independent (each writes only its own batch rows), so the state's
/// `BatchScheduler` spreads them over threads, each contiguous range of
/// blocks with its own scratch. Which rows form a block depends on the batch
/// size only, never on the thread count, so results are bitwise identical
/// for every thread count.
enum ScanEngine {
    /// The estimated element-operations (the scheduler's unit, about one
    /// dense kernel element) of `passes` scan passes over `batch x count x d`
    /// elements. A scan element (a gather, an `exp`, two scans, a scatter)
    /// costs far more than one dense element: the B = 20, n = 4000 training
    /// step runs at about 100 ns per element (`simd-bench scan`), so each
    /// counts 16. Saturates at `Int.max`.
    static func work(batch: Int, count n: Int, dimension d: Int = 1, passes: Int = 1) -> Int {
        let (rows, o1) = (16 * passes).multipliedReportingOverflow(by: batch)
        let (elements, o2) = rows.multipliedReportingOverflow(by: n)
        let (total, o3) = elements.multipliedReportingOverflow(by: d)
        return o1 || o2 || o3 ? .max : total
    }

    /// `(first row, lanes)` of every block.
    static func blocks(batch: Int, lanes: Int) -> [(first: Int, lanes: Int)] {
        var result: [(first: Int, lanes: Int)] = []
        var b = 0
        while b + lanes <= batch && lanes > 1 {
            result.append((b, lanes))
            b += lanes
        }
        while b < batch {
            result.append((b, 1))
            b += 1
        }
        return result
    }

    // MARK: Layout

    /// Block layout from plain rows: `dst[(i d + k) lanes + l] = src[((first + l) n + i) d + k]`.
    @inline(__always)
    static func packRows<T>(
        _ src: UnsafePointer<T>, first: Int, lanes: Int, count n: Int, dimension d: Int,
        into dst: UnsafeMutablePointer<T>
    ) {
        if lanes == 1 {
            dst.update(from: src + first * n * d, count: n * d)
            return
        }
        for l in 0..<lanes {
            let row = src + (first + l) * n * d
            for e in 0..<n * d { dst[e * lanes + l] = row[e] }
        }
    }

    /// Plain rows from block layout (the inverse of `packRows`).
    @inline(__always)
    static func unpackRows<T>(
        _ src: UnsafePointer<T>, first: Int, lanes: Int, count n: Int, dimension d: Int,
        into dst: UnsafeMutablePointer<T>
    ) {
        if lanes == 1 {
            (dst + first * n * d).update(from: src, count: n * d)
            return
        }
        for l in 0..<lanes {
            let row = dst + (first + l) * n * d
            for e in 0..<n * d { row[e] = src[e * lanes + l] }
        }
    }

    /// Block layout in sorted order from values in column order:
    /// `dst[(i d + k) lanes + l] = src[((first + l) n + perm[(first + l) n + i]) d + k]`.
    @inline(__always)
    static func packPermuted<T>(
        _ src: UnsafePointer<T>, permutation: UnsafePointer<Int>, first: Int, lanes: Int, count n: Int,
        dimension d: Int, into dst: UnsafeMutablePointer<T>
    ) {
        for l in 0..<lanes {
            let row = src + (first + l) * n * d, order = permutation + (first + l) * n
            if d == 1 {
                for i in 0..<n { dst[i * lanes + l] = row[order[i]] }
            } else {
                for i in 0..<n {
                    for k in 0..<d { dst[(i * d + k) * lanes + l] = row[order[i] * d + k] }
                }
            }
        }
    }

    /// Values in column order from block layout in sorted order (the inverse
    /// of `packPermuted`; every column has exactly one rank).
    @inline(__always)
    static func unpackPermuted<T>(
        _ src: UnsafePointer<T>, permutation: UnsafePointer<Int>, first: Int, lanes: Int, count n: Int,
        dimension d: Int, into dst: UnsafeMutablePointer<T>
    ) {
        for l in 0..<lanes {
            let row = dst + (first + l) * n * d, order = permutation + (first + l) * n
            if d == 1 {
                for i in 0..<n { row[order[i]] = src[i * lanes + l] }
            } else {
                for i in 0..<n {
                    for k in 0..<d { row[order[i] * d + k] = src[(i * d + k) * lanes + l] }
                }
            }
        }
    }

    // MARK: Forward

    static func prepare<T: ScanScalar>(
        scores: [T], batch: Int, count n: Int, temperature: T, direction: SortDirection, scheduler: BatchScheduler
    ) -> ScanState<T> {
        let total = batch * n
        var permutation = [Int](repeating: 0, count: total)
        var sorted = [T](repeating: 0, count: total)
        var factors = [T](repeating: 0, count: total)
        var left = [T](repeating: 0, count: total)
        var right = [T](repeating: 0, count: total)
        if total > 0 {
            let argsort = T._kernels(for: .scalar).argsort
            let plain = UnsafeMutablePointer<T>.allocate(capacity: total)
            defer { plain.deallocate() }
            let work = self.work(batch: batch, count: n)
            scores.withUnsafeBufferPointer { s in
                permutation.withUnsafeMutableBufferPointer { p in
                    let s = s.baseAddress!, p = p.baseAddress!
                    // Per batch row: it writes its own slices of `permutation` and `plain`.
                    scheduler.forEach(items: batch, work: work) { range in
                        for b in range { argsort(s + b * n, n, direction, p + b * n, plain + b * n) }
                    }
                }
            }
            let blockList = blocks(batch: batch, lanes: T.BatchLanes.laneCount)
            sorted.withUnsafeMutableBufferPointer { x in
            factors.withUnsafeMutableBufferPointer { f in
            left.withUnsafeMutableBufferPointer { l in
            right.withUnsafeMutableBufferPointer { r in
                let x = x.baseAddress!, f = f.baseAddress!, l = l.baseAddress!, r = r.baseAddress!
                // A block writes only its own rows `first ..< first + lanes` of each array.
                scheduler.forEach(items: blockList.count, work: work) { range in
                    for block in blockList[range] {
                        let base = block.first * n
                        packRows(plain, first: block.first, lanes: block.lanes, count: n, dimension: 1, into: x + base)
                        if block.lanes == 1 {
                            ScanKernels.prepare(
                                T.self, sorted: x + base, factors: f + base, left: l + base, right: r + base,
                                count: n, inverseTemperature: 1 / temperature)
                        } else {
                            ScanKernels.prepare(
                                T.BatchLanes.self, sorted: x + base, factors: f + base, left: l + base,
                                right: r + base, count: n, inverseTemperature: 1 / temperature)
                        }
                    }
                }
            }}}}
        }
        return ScanState(
            batch: batch, count: n, temperature: temperature, direction: direction, scheduler: scheduler,
            scores: scores, permutation: permutation, sorted: sorted, factors: factors, left: left, right: right)
    }

    /// Runs `body` with base pointers to the state's block arrays.
    @inline(__always)
    static func withState<T, R>(
        _ state: ScanState<T>,
        _ body: (_ f: UnsafePointer<T>, _ left: UnsafePointer<T>, _ right: UnsafePointer<T>,
                 _ permutation: UnsafePointer<Int>) -> R
    ) -> R {
        state.factors.withUnsafeBufferPointer { f in
            state.left.withUnsafeBufferPointer { l in
                state.right.withUnsafeBufferPointer { r in
                    state.permutation.withUnsafeBufferPointer { p in
                        body(f.baseAddress!, l.baseAddress!, r.baseAddress!, p.baseAddress!)
                    }
                }
            }
        }
    }

    /// `P V`: `batch x count x d`, rows in sorted order; `values` in column order.
    static func apply<T: ScanScalar>(_ state: ScanState<T>, values: [T], dimension d: Int) -> [T] {
        let n = state.count, batch = state.batch
        var output = [T](repeating: 0, count: batch * n * d)
        guard batch * n * d > 0 else { return output }
        let lanes = T.BatchLanes.laneCount
        let blockList = blocks(batch: batch, lanes: lanes)
        withState(state) { f, l, r, permutation in
            values.withUnsafeBufferPointer { v in
                output.withUnsafeMutableBufferPointer { out in
                    let v = v.baseAddress!, out = out.baseAddress!
                    state.scheduler.forEach(items: blockList.count, work: work(batch: batch, count: n, dimension: d)) {
                        range in
                        // Scratch per range of blocks: the packed values, the block's result, running sums.
                        let packed = UnsafeMutablePointer<T>.allocate(capacity: 2 * lanes * n * d + lanes * d)
                        defer { packed.deallocate() }
                        let result = packed + lanes * n * d, running = result + lanes * n * d
                        for block in blockList[range] {
                            let base = block.first * n
                            packPermuted(
                                v, permutation: permutation, first: block.first, lanes: block.lanes,
                                count: n, dimension: d, into: packed)
                            if block.lanes == 1 {
                                ScanKernels.apply(
                                    T.self, factors: f + base, left: l + base, right: r + base, values: packed,
                                    output: result, count: n, dimension: d, running: running)
                            } else {
                                ScanKernels.apply(
                                    T.BatchLanes.self, factors: f + base, left: l + base, right: r + base,
                                    values: packed, output: result, count: n, dimension: d, running: running)
                            }
                            unpackRows(result, first: block.first, lanes: block.lanes, count: n, dimension: d,
                                       into: out)
                        }
                    }
                }
            }
        }
        return output
    }

    // MARK: Backward

    /// The VJP of `P V` given `dL/d(P V)` (rows sorted, `batch x count x d`).
    static func applyBackward<T: ScanScalar>(
        _ state: ScanState<T>, values: [T], dimension d: Int, gradient: [T], wantProduct: Bool
    ) -> ScanGradients<T> {
        let n = state.count, batch = state.batch
        var result = ScanGradients<T>(
            scores: [T](repeating: 0, count: batch * n), values: [T](repeating: 0, count: batch * n * d),
            product: wantProduct ? [T](repeating: 0, count: batch * n * d) : [])
        guard batch * n * d > 0 else { return result }
        let lanes = T.BatchLanes.laneCount
        let blockSize = lanes * n * d
        let scratchCount = ScanKernels.backwardScratchCount(count: n, dimension: d, lanes: lanes)
        let scale = state.gradientScale
        let blockList = blocks(batch: batch, lanes: lanes)
        withState(state) { f, l, r, permutation in
            values.withUnsafeBufferPointer { v in
            gradient.withUnsafeBufferPointer { g in
            result.scores.withUnsafeMutableBufferPointer { scoreGradient in
            result.values.withUnsafeMutableBufferPointer { valueGradient in
            result.product.withUnsafeMutableBufferPointer { product in
                let v = v.baseAddress!, g = g.baseAddress!
                let scoreGradient = scoreGradient.baseAddress!, valueGradient = valueGradient.baseAddress!
                let product = product.baseAddress
                state.scheduler.forEach(items: blockList.count, work: work(batch: batch, count: n, dimension: d, passes: 2)) {
                    range in
                    // Scratch per range of blocks: W, G, dW, Y, dx and the kernel's scratch.
                    let buffer = UnsafeMutablePointer<T>.allocate(capacity: 4 * blockSize + lanes * n + scratchCount)
                    defer { buffer.deallocate() }
                    let W = buffer, G = W + blockSize, dW = G + blockSize, Y = dW + blockSize
                    let dx = Y + blockSize, scratch = dx + lanes * n
                    for block in blockList[range] {
                        let base = block.first * n
                        packPermuted(v, permutation: permutation, first: block.first,
                                     lanes: block.lanes, count: n, dimension: d, into: W)
                        packRows(g, first: block.first, lanes: block.lanes, count: n, dimension: d, into: G)
                        if block.lanes == 1 {
                            ScanKernels.applyBackward(
                                T.self, factors: f + base, left: l + base, right: r + base, values: W, gradient: G,
                                valueGradient: dW, scoreGradient: dx, output: wantProduct ? Y : nil, count: n,
                                dimension: d, scale: scale, scratch: scratch)
                        } else {
                            ScanKernels.applyBackward(
                                T.BatchLanes.self, factors: f + base, left: l + base, right: r + base, values: W,
                                gradient: G, valueGradient: dW, scoreGradient: dx, output: wantProduct ? Y : nil,
                                count: n, dimension: d, scale: scale, scratch: scratch)
                        }
                        unpackPermuted(dW, permutation: permutation, first: block.first, lanes: block.lanes,
                                       count: n, dimension: d, into: valueGradient)
                        unpackPermuted(dx, permutation: permutation, first: block.first, lanes: block.lanes,
                                       count: n, dimension: 1, into: scoreGradient)
                        if wantProduct, let product {
                            unpackRows(Y, first: block.first, lanes: block.lanes, count: n, dimension: d,
                                       into: product)
                        }
                    }
                }
            }}}}}
        }
        return result
    }

    // MARK: P^T U

    /// `P^T U`: `batch x count x d` in column order; `rows` (`U`) in sorted row order.
    static func applyTransposed<T: ScanScalar>(_ state: ScanState<T>, rows: [T], dimension d: Int) -> [T] {
        let n = state.count, batch = state.batch
        var output = [T](repeating: 0, count: batch * n * d)
        guard batch * n * d > 0 else { return output }
        let lanes = T.BatchLanes.laneCount
        let blockList = blocks(batch: batch, lanes: lanes)
        withState(state) { f, l, r, permutation in
            rows.withUnsafeBufferPointer { u in
                output.withUnsafeMutableBufferPointer { out in
                    let u = u.baseAddress!, out = out.baseAddress!
                    state.scheduler.forEach(items: blockList.count, work: work(batch: batch, count: n, dimension: d)) {
                        range in
                        // Scratch per range of blocks: the packed rows, the block's result, running sums.
                        let packed = UnsafeMutablePointer<T>.allocate(capacity: 2 * lanes * n * d + lanes * d)
                        defer { packed.deallocate() }
                        let result = packed + lanes * n * d, running = result + lanes * n * d
                        for block in blockList[range] {
                            let base = block.first * n
                            packRows(u, first: block.first, lanes: block.lanes, count: n, dimension: d, into: packed)
                            if block.lanes == 1 {
                                ScanKernels.applyTransposed(
                                    T.self, factors: f + base, left: l + base, right: r + base, rows: packed,
                                    output: result, count: n, dimension: d, running: running)
                            } else {
                                ScanKernels.applyTransposed(
                                    T.BatchLanes.self, factors: f + base, left: l + base, right: r + base,
                                    rows: packed, output: result, count: n, dimension: d, running: running)
                            }
                            unpackPermuted(result, permutation: permutation, first: block.first, lanes: block.lanes,
                                           count: n, dimension: d, into: out)
                        }
                    }
                }
            }
        }
        return output
    }

    // MARK: Cross-entropy

    /// `-sum_(b, i) log P[b, i, t[b, i]]` with its gradient, where
    /// `log P[i, t_i] = -|x_i - s_(t_i)| / tau - log Z_i` is computed directly
    /// (never the log of an underflowed `P`). The loss is summed in `Double`:
    /// one partial per block, then the partials in block order (the same bits
    /// for every thread count). `targets` must lie in `0 ..< count`, so every
    /// write stays in the block's own batch rows.
    static func crossEntropy<T: ScanScalar>(_ state: ScanState<T>, targets: [Int]) -> (loss: Double, gradient: [T]) {
        let n = state.count, batch = state.batch
        var gradient = [T](repeating: 0, count: batch * n)
        guard batch * n > 0 else { return (0, gradient) }
        let lanes = T.BatchLanes.laneCount
        let scale = state.gradientScale, inverseTemperature = 1 / state.temperature
        let tau = Double(state.temperature)
        let blockList = blocks(batch: batch, lanes: lanes)
        var partials = [Double](repeating: 0, count: blockList.count)
        withState(state) { f, l, r, permutation in
            state.scores.withUnsafeBufferPointer { s in
            targets.withUnsafeBufferPointer { t in
            gradient.withUnsafeMutableBufferPointer { out in
            partials.withUnsafeMutableBufferPointer { partials in
                let s = s.baseAddress!, t = t.baseAddress!, out = out.baseAddress!, partials = partials.baseAddress!
                state.scheduler.forEach(items: blockList.count, work: work(batch: batch, count: n)) { range in
                    // Scratch per range of blocks: the block's score gradient in sorted order.
                    let dx = UnsafeMutablePointer<T>.allocate(capacity: lanes * n)
                    defer { dx.deallocate() }
                    for index in range {
                        let block = blockList[index], base = block.first * n
                        if block.lanes == 1 {
                            ScanKernels.logNormalizerGradient(
                                T.self, factors: f + base, left: l + base, right: r + base, scoreGradient: dx,
                                count: n, scale: scale)
                        } else {
                            ScanKernels.logNormalizerGradient(
                                T.BatchLanes.self, factors: f + base, left: l + base, right: r + base,
                                scoreGradient: dx, count: n, scale: scale)
                        }
                        unpackPermuted(dx, permutation: permutation, first: block.first, lanes: block.lanes,
                                       count: n, dimension: 1, into: out)
                        // The direct terms |x_i - s_(t_i)| / tau and log Z_i, in this block's rows only.
                        var loss = 0.0
                        for lane in 0..<block.lanes {
                            let b = block.first + lane, row = b * n
                            for i in 0..<n {
                                let own = permutation[row + i], target = t[row + i]
                                let z = 1 + l[base + i * block.lanes + lane] + r[base + i * block.lanes + lane]
                                loss += abs(Double(s[row + own]) - Double(s[row + target])) / tau
                                    + Double.libmLog(Double(z))
                                let difference = s[row + own] - s[row + target]
                                let direct: T = difference > 0 ? inverseTemperature
                                    : (difference < 0 ? -inverseTemperature : 0)
                                out[row + own] += direct
                                out[row + target] -= direct
                            }
                        }
                        partials[index] = loss
                    }
                }
            }}}}
        }
        var loss = 0.0
        for partial in partials { loss += partial }
        return (loss, gradient)
    }

    /// `log Z_i` per batch row, `batch x count`, rows sorted.
    static func logNormalizers<T: ScanScalar>(_ state: ScanState<T>) -> [T] {
        let n = state.count, batch = state.batch
        var output = [T](repeating: 0, count: batch * n)
        guard batch * n > 0 else { return output }
        let blockList = blocks(batch: batch, lanes: T.BatchLanes.laneCount)
        state.left.withUnsafeBufferPointer { left in
        state.right.withUnsafeBufferPointer { right in
        output.withUnsafeMutableBufferPointer { output in
            let left = left.baseAddress!, right = right.baseAddress!, output = output.baseAddress!
            state.scheduler.forEach(items: blockList.count, work: work(batch: batch, count: n)) { range in
                for block in blockList[range] {
                    let base = block.first * n
                    for lane in 0..<block.lanes {
                        for i in 0..<n {
                            let k = base + i * block.lanes + lane
                            output[(block.first + lane) * n + i] = T.libmLog(1 + left[k] + right[k])
                        }
                    }
                }
            }
        }}}
        return output
    }
}
