#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which columns a windowed row keeps, in sorted order around its own rank.
enum WindowRule: Sendable, Equatable {
    /// Ranks `i - w ... i + w`.
    case ranks(Int)
    /// Ranks whose score is within `radius` of the row's: logit `>= log(tolerance)`,
    /// `radius = (-tau log(tolerance))^(1 / p)`.
    case radius(Double)
}

/// What a windowed forward keeps (O(B n + kept entries) memory).
struct WindowState<T: SoftSortScalar>: Sendable {
    let batch: Int
    let count: Int
    /// The rows kept per batch row, `k <= count`.
    let rows: Int
    let temperature: T
    let power: DistancePower
    let permutation: [Int]
    /// Plain `batch x count`, sorted.
    let sorted: [T]
    /// `batch * rows + 1` offsets into `values`.
    let rowOffsets: [Int]
    /// `batch * rows`: the sorted rank of each row's first kept column.
    let firstRank: [Int]
    let values: [T]
    /// The column of every entry of `values`.
    let columns: [Int]
    let droppedMass: [T]
    let kernels: _RowKernels<T>
}

/// The windowed operations, specialized per element type (see `ScanOperations`).
struct WindowOperations<T: SoftSortScalar>: Sendable {
    let forward: @Sendable (
        _ scores: [T], _ batch: Int, _ count: Int, _ rows: Int, _ temperature: T, _ power: DistancePower,
        _ rule: WindowRule, _ direction: SortDirection, _ kernels: _RowKernels<T>
    ) -> WindowState<T>
    let backward: @Sendable (_ state: WindowState<T>, _ gradient: [T]) -> [T]

    static var current: WindowOperations<T> {
        if let table = floatWindowOperations as? WindowOperations<T> { return table }
        if let table = doubleWindowOperations as? WindowOperations<T> { return table }
        fatalError("SoftSortScalar is only Float and Double")
    }
}

private let floatWindowOperations = WindowOperations<Float>.make()
private let doubleWindowOperations = WindowOperations<Double>.make()

extension WindowOperations where T: VectorScalar {
    static func make() -> WindowOperations<T> {
        WindowOperations(
            forward: {
                WindowEngine.forward(
                    scores: $0, batch: $1, count: $2, rows: $3, temperature: $4, power: $5, rule: $6,
                    direction: $7, kernels: $8)
            },
            backward: { WindowEngine.backward($0, gradient: $1) })
    }
}

/// The sparse top-window path: sort each batch row, pick each kept row's
/// window of sorted ranks, and run the dense row kernels on the window alone
/// (the columns of a window are contiguous in sorted order). Batch rows are
/// independent and run serially.
enum WindowEngine {
    /// `|d|^p` in `Double`.
    @inline(__always)
    static func distance(_ d: Double, _ power: DistancePower) -> Double {
        switch power {
        case .one: return abs(d)
        case .two: return d * d
        case .general(let p): return pow(abs(d), p)
        }
    }

    static func forward<T: VectorScalar>(
        scores: [T], batch: Int, count n: Int, rows k: Int, temperature: T, power: DistancePower,
        rule: WindowRule, direction: SortDirection, kernels: _RowKernels<T>
    ) -> WindowState<T> {
        var permutation = [Int](repeating: 0, count: batch * n)
        var sorted = [T](repeating: 0, count: batch * n)
        var firstRank = [Int](repeating: 0, count: batch * k)
        var rowOffsets = [Int](repeating: 0, count: batch * k + 1)
        // Sort, then choose every window (two pointers for the radius rule:
        // both ends only move forward as the rank grows).
        scores.withUnsafeBufferPointer { s in
        permutation.withUnsafeMutableBufferPointer { p in
        sorted.withUnsafeMutableBufferPointer { x in
            for b in 0..<batch where n > 0 {
                let row = b * n
                kernels.argsort(s.baseAddress! + row, n, direction, p.baseAddress! + row, x.baseAddress! + row)
                var low = 0, high = 0
                for i in 0..<k {
                    let r = b * k + i
                    switch rule {
                    case .ranks(let w):
                        low = max(0, i - w)
                        high = min(n - 1, i + min(w, n))
                    case .radius(let radius):
                        let centre = Double(x[row + i])
                        while abs(Double(x[row + low]) - centre) > radius { low += 1 }
                        high = max(high, i)
                        while high + 1 < n && abs(Double(x[row + high + 1]) - centre) <= radius { high += 1 }
                    }
                    firstRank[r] = low
                    rowOffsets[r + 1] = rowOffsets[r] + (high - low + 1)
                }
            }
        }}}
        let total = rowOffsets[batch * k]
        var values = [T](repeating: 0, count: total)
        var droppedMass = [T](repeating: 0, count: batch * k)
        var columns = [Int](repeating: 0, count: total)
        sorted.withUnsafeBufferPointer { x in
        values.withUnsafeMutableBufferPointer { v in
        columns.withUnsafeMutableBufferPointer { c in
        permutation.withUnsafeBufferPointer { p in
            let x = x.baseAddress!
            for b in 0..<batch {
                let row = b * n
                for i in 0..<k {
                    let r = b * k + i, low = firstRank[r], width = rowOffsets[r + 1] - rowOffsets[r]
                    (c.baseAddress! + rowOffsets[r]).update(from: p.baseAddress! + row + low, count: width)
                    let job = SoftSortRowJob(
                        scores: x + row + low, centres: x + row + i, matrix: v.baseAddress! + rowOffsets[r],
                        count: width, temperature: temperature, power: power)
                    kernels.softSortForward(job, 0..<1)
                    droppedMass[r] = droppedMassBound(
                        sorted: x + row, count: n, rank: i, low: low, width: width,
                        diagonal: v[rowOffsets[r] + i - low], temperature: temperature, power: power)
                }
            }
        }}}}
        return WindowState(
            batch: batch, count: n, rows: k, temperature: temperature, power: power, permutation: permutation,
            sorted: sorted, rowOffsets: rowOffsets, firstRank: firstRank, values: values, columns: columns,
            droppedMass: droppedMass, kernels: kernels)
    }

    /// An upper bound on the mass the dense `P` puts outside ranks
    /// `low ..< low + width` of row `rank`.
    ///
    /// Distances grow away from the row's own rank in sorted order, so each of
    /// the `low` columns dropped on one side has a logit at most the nearest
    /// dropped one's, `z_low`, and likewise on the other side: the dropped sum
    /// `D <= low exp(z_low) + (n - low - width) exp(z_high)`. With the kept
    /// sum `Z~ = 1 / P~[i, i]` (the diagonal term is `exp(0) = 1`), the dropped
    /// mass is `D / (Z~ + D)`, increasing in `D` and decreasing in `Z~`; `Z~`
    /// is taken `width` rounding errors low, and the result is rounded up.
    static func droppedMassBound<T: VectorScalar>(
        sorted x: UnsafePointer<T>, count n: Int, rank i: Int, low: Int, width: Int, diagonal: T,
        temperature: T, power: DistancePower
    ) -> T {
        let high = low + width  // first dropped rank after the window
        let tau = Double(temperature), centre = Double(x[i])
        var dropped = 0.0
        if low > 0 {
            dropped += Double(low) * exp(-distance(Double(x[low - 1]) - centre, power) / tau)
        }
        if high < n {
            dropped += Double(n - high) * exp(-distance(Double(x[high]) - centre, power) / tau)
        }
        guard low > 0 || high < n else { return 0 }
        let keptLow = (1 / Double(diagonal)) / (1 + 4 * Double(width + 8) * Double(T.ulpOfOne))
        var bound = dropped / (max(keptLow, 1) + dropped) * (1 + 0x1p-40)
        bound = max(bound, Double(T.leastNonzeroMagnitude))  // a dropped column has mass > 0
        var rounded = T(min(bound, 1))
        if Double(rounded) < bound { rounded = rounded.nextUp }
        return rounded
    }

    /// `dL/ds` given `dL/dP~` laid out as `values`: the dense backward on each
    /// window, then through the sort.
    static func backward<T: VectorScalar>(_ state: WindowState<T>, gradient: [T]) -> [T] {
        let n = state.count, k = state.rows
        var result = [T](repeating: 0, count: state.batch * n)
        guard state.batch * n > 0 else { return result }
        let sortedGradient = UnsafeMutablePointer<T>.allocate(capacity: n)
        defer { sortedGradient.deallocate() }
        var centreGradient: T = 0
        state.sorted.withUnsafeBufferPointer { x in
        state.values.withUnsafeBufferPointer { v in
        gradient.withUnsafeBufferPointer { g in
            let x = x.baseAddress!
            for b in 0..<state.batch {
                let row = b * n
                sortedGradient.initialize(repeating: 0, count: n)
                for i in 0..<k {
                    let r = b * k + i, low = state.firstRank[r]
                    let offset = state.rowOffsets[r], width = state.rowOffsets[r + 1] - offset
                    withUnsafeMutablePointer(to: &centreGradient) { centre in
                        let job = SoftSortBackwardJob(
                            scores: x + row + low, centres: x + row + i, matrix: v.baseAddress! + offset,
                            matrixGradient: g.baseAddress! + offset, columnGradient: sortedGradient + low,
                            centreGradient: centre, count: width, temperature: state.temperature,
                            power: state.power)
                        state.kernels.softSortBackward(job, 0..<1)
                    }
                    sortedGradient[i] += centreGradient
                }
                for j in 0..<n { result[row + state.permutation[row + j]] = sortedGradient[j] }
            }
        }}}
        return result
    }
}
