/// The 1-D Gauss transform of one row on sorted points, in `Double`:
///
///     G0(v_i) = sum_j q_j g(v_i - v_j),   G1(v_i) = sum_j q_j g(v_i - v_j) (v_i - v_j),
///
/// `g(d) = exp(-d^2)`, points `v` ascending in bandwidth units, targets the
/// sources themselves. Cells (the occupied intervals of a grid of width
/// `plan.width`, `GaussCells`)
/// with at least `plan.expansionThreshold` points are *expanded*. For each
/// target cell `T` and each source cell `S` within `plan.radius`:
///
/// - both expanded: `S`'s moments `A_n = sum_j q_j (-b_j)^n / n!` are
///   translated into `T`'s local polynomial, `L_m += sum_n g^(m+n)(D) A_n`
///   (`GaussLanes.translate`);
/// - only `T` expanded: each source adds `q_j g^(m)(t - v_j)` to `L_m`;
/// - only `S` expanded: each target sums `g^(n)(v_i - c) A_n` (and
///   `g^(n+1)` for `G1`);
/// - neither: the entries directly, `exp(-d^2)` each (`GaussLanes.direct`,
///   four sources at a time).
///
/// `kernels` says whether those loops run as the Swift `GaussLanes` or as
/// CSimd's AVX2+FMA counterparts (`GaussKernels`).
///
/// `T`'s local polynomial `sum_m L_m a^m / m!` gives `G0` and its derivative
/// gives `G1 = -1/2 dG0/dv` directly (never `v_i G0 - sum q_j g v_j`). A row
/// is one thread's work, its summation order fixed by the cells: the same
/// bits for every thread count. The error bound is `GaussPlan`'s.
///
/// - Complexity: O(n p (r / w)) plus O(cells (r / w) p^2), no allocation
///   (all buffers are caller scratch, `GaussCells`).
struct GaussTransform {
    let plan: GaussPlan
    let points: UnsafePointer<Double>
    let cells: GaussCells
    /// Which code runs the per-point loops (`GaussKernels`).
    var kernels = GaussKernels.preferred

    /// `G1` into `moments`, and `G0` into `sums` when it is not `nil`; unit
    /// weights when `weights` is `nil`.
    func run(weights: UnsafePointer<Double>?, sums: UnsafeMutablePointer<Double>?, moments: UnsafeMutablePointer<Double>) {
        let v = points, p = plan.order, r = plan.radius, r2 = r * r
        let start = cells.start, slot = cells.slot, centre = cells.centre
        let a = cells.moments, local = cells.local, h = cells.derivatives, reciprocal = cells.reciprocal
        let cellCount = cells.count
        // Source moments of the expanded cells.
        for k in 0..<cellCount where slot[k] >= 0 {
            kernels.moments(
                points: v, weights: weights, range: start[k]..<start[k + 1], centre: centre[k], order: p,
                reciprocal: reciprocal, lanes: cells.lanes, into: a + slot[k] * p)
        }
        var low = 0, high = 0
        for t in 0..<cellCount {
            let first = start[t], end = start[t + 1]
            let tFirst = v[first], tLast = v[end - 1], tCentre = centre[t]
            while v[start[low + 1] - 1] < tFirst - r { low += 1 }
            high = max(high, t)
            while high + 1 < cellCount && v[start[high + 1]] - tLast <= r { high += 1 }
            for i in first..<end {
                sums?[i] = 0
                moments[i] = 0
            }
            let targetExpanded = slot[t] >= 0
            if targetExpanded { local.update(repeating: 0, count: p) }
            // A target cell that is not expanded sums each run of consecutive
            // direct source cells at once (their points are consecutive):
            // one vector loop over many points instead of one per cell.
            var run = -1
            for s in low...(high + 1) {
                if !targetExpanded && run >= 0 && (s > high || slot[s] >= 0) {
                    let sources = start[run]..<start[s]
                    for i in first..<end {
                        let (g0, g1) = kernels.direct(
                            target: v[i], points: v, weights: weights, range: sources, radiusSquared: r2)
                        sums?[i] += g0
                        moments[i] += g1
                    }
                    run = -1
                }
                guard s <= high else { break }
                if !targetExpanded && slot[s] < 0 {
                    if run < 0 { run = s }
                    continue
                }
                let sStart = start[s], sEnd = start[s + 1]
                switch (targetExpanded, slot[s] >= 0) {
                case (true, true):
                    // Grid cells: the centres differ by a whole number of
                    // widths, whose derivatives the cells tabulated once.
                    let g = cells.translation(cell: t, source: s, order: p, into: h)
                    kernels.translate(local, derivatives: g, moments: a + slot[s] * p, order: p)
                case (true, false):
                    let sources = Self.points(v, sStart..<sEnd, from: tFirst - r, through: tLast + r)
                    kernels.sourcesToLocal(
                        points: v, weights: weights, range: sources, centre: tCentre, order: p,
                        derivatives: h, lanes: cells.lanes, into: local)
                case (false, true):
                    let targets = Self.points(v, first..<end, from: v[sStart] - r, through: v[sEnd - 1] + r)
                    kernels.expansion(
                        a + slot[s] * p, order: p, centre: centre[s], at: v, range: targets, derivatives: h,
                        sums: sums, moments: moments)
                case (false, false):
                    preconditionFailure("direct source cells are summed in runs above")
                }
            }
            if targetExpanded {
                for m in 0..<p { local[m] *= cells.inverseFactorial[m] }
                kernels.evaluate(
                    local, order: p, points: v, range: first..<end, centre: tCentre, sums: sums, moments: moments)
            }
        }
    }

    /// The indices in `range` of the ascending points `v` within `[low, high]`
    /// (a contiguous run of them).
    @inline(__always)
    static func points(_ v: UnsafePointer<Double>, _ range: Range<Int>, from low: Double, through high: Double) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper && v[lower] < low { lower += 1 }
        while upper > lower && v[upper - 1] > high { upper -= 1 }
        return lower..<upper
    }

    /// `h[k] = g^(k)(x)`, `k < count`, for `g(x) = exp(-x^2)`:
    /// `g^(k+1) = -2 x g^(k) - 2 k g^(k-1)` (the Hermite recurrence).
    @inline(__always)
    static func derivatives(of x: Double, count: Int, into h: UnsafeMutablePointer<Double>) {
        h[0] = Double.libmExp(-x * x)
        guard count > 1 else { return }
        h[1] = -2 * x * h[0]
        var k = 1
        while k + 1 < count {
            h[k + 1] = -2 * x * h[k] - 2 * Double(k) * h[k - 1]
            k += 1
        }
    }
}

/// One row's cells and the transform's buffers, in caller scratch.
///
/// Cells are the occupied intervals of a grid of width `plan.width` that
/// starts at the first point: cell `k` of the grid holds the points with
/// `k w <= v - v_0 < (k + 1) w` and is centred at `v_0 + (k + 1/2) w`, so
/// every point lies within `w / 2` of its cell's centre (the bound's
/// `|a|, |b| <= width / 2`), and two cells' centres differ by a whole number
/// of widths: the kernel derivatives `g^(k)(delta w)` that translate one
/// expanded cell's moments into another's local polynomial are tabulated
/// once per row for `|delta| <= tableRadius` instead of once per pair.
struct GaussCells {
    /// Cell `k` holds points `start[k] ..< start[k + 1]`.
    let start: UnsafeMutablePointer<Int>
    /// The expanded cell's index into `moments` (times `order`), or -1.
    let slot: UnsafeMutablePointer<Int>
    /// The cell's grid index (`k` above; 0 when not `tabulated`).
    let grid: UnsafeMutablePointer<Int>
    /// The cell's grid centre `v_0 + (k + 1/2) w` (its points' midpoint when not `tabulated`).
    let centre: UnsafeMutablePointer<Double>
    let moments: UnsafeMutablePointer<Double>
    let local: UnsafeMutablePointer<Double>
    let derivatives: UnsafeMutablePointer<Double>
    /// `1 / k`, `k = 0 ... order + 1` (entry 0 unused).
    let reciprocal: UnsafeMutablePointer<Double>
    let inverseFactorial: UnsafeMutablePointer<Double>
    /// `GaussLanes.width` partial moments per order.
    let lanes: UnsafeMutablePointer<Double>
    /// Row `delta + tableRadius` (at `tableStride` words per row) holds
    /// `g^(k)(delta w)`, `k < order`, for `|delta| <= tableRadius`, then
    /// zeros to the row's end (what `csimd_f64_gauss_translate` reads past
    /// the order).
    let table: UnsafeMutablePointer<Double>
    /// Words per row of `table`: `2 * (order rounded up to 4)`.
    let tableStride: Int
    /// -1 when not `tabulated`.
    let tableRadius: Int
    /// Whether the cells sit on the grid (rows spanning below `2^30` widths).
    let tabulated: Bool
    let width: Double
    let count: Int

    /// The most grid offsets a pair of cells within any plan's radius can
    /// have: `radius / width + 2`, the radius at most 6.2 (the accuracy is at
    /// least 1e-16) and the width at least 1/16 (or the whole row).
    static let maximumTableRadius = 6 * 16 + 8
    /// Words of one row of kernel derivatives with its zero padding, at the
    /// largest order (`tableStride` at most).
    static let derivativeWords = 2 * GaussPlan.maximumOrder

    /// `Double` words of scratch for `n` points (the `Int` arrays count as words too).
    static func scratchWords(count n: Int) -> Int {
        3 * (n + 1) + n + 3 * n + (3 + GaussLanes.width) * (GaussPlan.maximumOrder + 2) + derivativeWords
            + (2 * maximumTableRadius + 1) * derivativeWords + 12
    }

    /// Cuts ascending `points` into cells for `plan` in `scratch`.
    init(points v: UnsafePointer<Double>, count n: Int, plan: GaussPlan, scratch: UnsafeMutableRawPointer) {
        precondition(n > 0)
        let ints = scratch.assumingMemoryBound(to: Int.self)
        start = ints
        slot = ints + (n + 1)
        grid = ints + 2 * (n + 1)
        let doubles = UnsafeMutableRawPointer(ints + 3 * (n + 1)).assumingMemoryBound(to: Double.self)
        centre = doubles
        moments = doubles + n
        let tables = moments + 3 * n
        let slots = GaussPlan.maximumOrder + 2
        local = tables
        derivatives = tables + slots
        reciprocal = derivatives + Self.derivativeWords
        inverseFactorial = reciprocal + slots
        // `GaussLanes` reads `lanes` as `SIMD4<Double>`: 32-byte aligned
        // (the scratch words before it vary with `n`).
        let lanesAddress = UInt(bitPattern: inverseFactorial + slots)
        lanes = UnsafeMutablePointer(bitPattern: (lanesAddress + 31) & ~31)!
        table = lanes + GaussLanes.width * slots
        let p = plan.order, w = plan.width
        width = w
        let stride = 2 * ((p + 3) & ~3)
        tableStride = stride
        reciprocal[0] = 0
        inverseFactorial[0] = 1
        for k in 1...(p + 1) {
            reciprocal[k] = 1 / Double(k)
            inverseFactorial[k] = inverseFactorial[k - 1] * reciprocal[k]
        }
        var cellCount = 0, expanded = 0, first = 0
        let origin = v[0]
        // Below 2^30 widths the grid centres are within 2^-23 w of exact
        // (the points' own rounding), and the table applies; past that (only
        // rows of isolated points and exact ties reach it) each cell is
        // centred at its points' midpoint and each pair computes its own.
        tabulated = (v[n - 1] - origin) / w < 0x1p30
        // The grid index of each point, non-decreasing as the points ascend.
        @inline(__always) func cell(_ x: Double) -> Double { ((x - origin) / w).rounded(.down) }
        var current = cell(v[0])
        for i in 1...n {
            let k = i < n ? max(cell(v[i]), current) : current
            guard i == n || k != current else { continue }
            start[cellCount] = first
            grid[cellCount] = tabulated ? Int(current) : 0
            centre[cellCount] = tabulated ? origin + (current + 0.5) * w : 0.5 * (v[first] + v[i - 1])
            if i - first >= plan.expansionThreshold {
                slot[cellCount] = expanded
                expanded += 1
            } else {
                slot[cellCount] = -1
            }
            cellCount += 1
            first = i
            current = k
        }
        start[cellCount] = n
        count = cellCount
        // Pairs within the radius are at most radius / w + 1 grid cells apart.
        let radius = min(Int((plan.radius / w).rounded(.up)) + 1, Self.maximumTableRadius)
        tableRadius = tabulated ? radius : -1
        if tabulated && expanded > 0 {
            let middle = table + radius * stride
            for delta in 0...radius {
                let row = middle + delta * stride, mirror = middle - delta * stride
                GaussTransform.derivatives(of: Double(delta) * w, count: p, into: row)
                (row + p).update(repeating: 0, count: stride - p)
                // g^(k)(-x) = (-1)^k g^(k)(x).
                for k in 0..<stride { mirror[k] = k % 2 == 0 ? row[k] : -row[k] }
            }
        }
    }

    /// `g^(k)(centre[t] - centre[s])`, `k < order`, then zeros to
    /// `tableStride`: the table's row, or computed into `h` (of
    /// `derivativeWords`) past the table's reach.
    @inline(__always)
    func translation(cell t: Int, source s: Int, order p: Int, into h: UnsafeMutablePointer<Double>) -> UnsafePointer<Double> {
        let delta = grid[t] - grid[s]
        if abs(delta) <= tableRadius { return UnsafePointer(table + (delta + tableRadius) * tableStride) }
        GaussTransform.derivatives(of: tabulated ? Double(delta) * width : centre[t] - centre[s], count: p, into: h)
        (h + p).update(repeating: 0, count: tableStride - p)
        return UnsafePointer(h)
    }
}
