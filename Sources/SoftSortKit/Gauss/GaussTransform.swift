/// The 1-D Gauss transform of one row on sorted points, in `Double`:
///
///     G0(v_i) = sum_j q_j g(v_i - v_j),   G1(v_i) = sum_j q_j g(v_i - v_j) (v_i - v_j),
///
/// `g(d) = exp(-d^2)`, points `v` ascending in bandwidth units, targets the
/// sources themselves. Cells (runs of points narrower than `plan.width`)
/// with at least `plan.expansionThreshold` points are *expanded*. For each
/// target cell `T` and each source cell `S` within `plan.radius`:
///
/// - both expanded: `S`'s moments `A_n = sum_j q_j (-b_j)^n / n!` are
///   translated into `T`'s local polynomial, `L_m += sum_n g^(m+n)(D) A_n`;
/// - only `T` expanded: each source adds `q_j g^(m)(t - v_j)` to `L_m`;
/// - only `S` expanded: each target sums `g^(n)(v_i - c) A_n` (and
///   `g^(n+1)` for `G1`);
/// - neither: the entries directly, `exp(-d^2)` each.
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

    /// `G1` into `moments`, and `G0` into `sums` when it is not `nil`; unit
    /// weights when `weights` is `nil`.
    func run(weights: UnsafePointer<Double>?, sums: UnsafeMutablePointer<Double>?, moments: UnsafeMutablePointer<Double>) {
        let v = points, p = plan.order, r = plan.radius, r2 = r * r
        let start = cells.start, slot = cells.slot, centre = cells.centre
        let a = cells.moments, local = cells.local, h = cells.derivatives, reciprocal = cells.reciprocal
        let cellCount = cells.count
        // Source moments of the expanded cells.
        for k in 0..<cellCount where slot[k] >= 0 {
            GaussLanes.moments(
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
            for s in low...high {
                let sStart = start[s], sEnd = start[s + 1]
                switch (targetExpanded, slot[s] >= 0) {
                case (true, true):
                    Self.derivatives(of: tCentre - centre[s], count: p, into: h)
                    // n outer, m inner: every local[m] its own chain (no
                    // add-latency chain through one sum), a fixed order.
                    let am = a + slot[s] * p
                    for n in 0..<p {
                        let an = am[n], hn = h + n
                        for m in 0..<(p - n) { local[m] += hn[m] * an }
                    }
                case (true, false):
                    for j in sStart..<sEnd where v[j] >= tFirst - r && v[j] <= tLast + r {
                        Self.derivatives(of: tCentre - v[j], count: p, into: h)
                        let q = weights?[j] ?? 1
                        for m in 0..<p { local[m] += q * h[m] }
                    }
                case (false, true):
                    let sFirst = v[sStart], sLast = v[sEnd - 1], c = centre[s], am = a + slot[s] * p
                    for i in first..<end where v[i] >= sFirst - r && v[i] <= sLast + r {
                        Self.derivatives(of: v[i] - c, count: p + 1, into: h)
                        var g0 = 0.0, g1 = 0.0
                        for n in 0..<p {
                            g0 += h[n] * am[n]
                            g1 += h[n + 1] * am[n]
                        }
                        sums?[i] += g0
                        moments[i] -= 0.5 * g1
                    }
                case (false, false):
                    for i in first..<end {
                        var g0 = 0.0, g1 = 0.0
                        for j in sStart..<sEnd {
                            let d = v[i] - v[j], d2 = d * d
                            if d2 <= r2 {
                                let e = (weights?[j] ?? 1) * Double.libmExp(-d2)
                                g0 += e
                                g1 += e * d
                            }
                        }
                        sums?[i] += g0
                        moments[i] += g1
                    }
                }
            }
            if targetExpanded {
                for m in 0..<p { local[m] *= cells.inverseFactorial[m] }
                GaussLanes.evaluate(
                    local, order: p, points: v, range: first..<end, centre: tCentre, sums: sums, moments: moments)
            }
        }
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
struct GaussCells {
    /// Cell `k` holds points `start[k] ..< start[k + 1]`.
    let start: UnsafeMutablePointer<Int>
    /// The expanded cell's index into `moments` (times `order`), or -1.
    let slot: UnsafeMutablePointer<Int>
    /// The midpoint of the cell's first and last point.
    let centre: UnsafeMutablePointer<Double>
    let moments: UnsafeMutablePointer<Double>
    let local: UnsafeMutablePointer<Double>
    let derivatives: UnsafeMutablePointer<Double>
    /// `1 / k`, `k = 0 ... order + 1` (entry 0 unused).
    let reciprocal: UnsafeMutablePointer<Double>
    let inverseFactorial: UnsafeMutablePointer<Double>
    /// `GaussLanes.width` partial moments per order.
    let lanes: UnsafeMutablePointer<Double>
    let count: Int

    /// `Double` words of scratch for `n` points (the `Int` arrays count as words too).
    static func scratchWords(count n: Int) -> Int { 2 * (n + 1) + n + 3 * n + (4 + GaussLanes.width) * (GaussPlan.maximumOrder + 2) + 8 }

    /// Cuts ascending `points` into cells for `plan` in `scratch`.
    init(points v: UnsafePointer<Double>, count n: Int, plan: GaussPlan, scratch: UnsafeMutableRawPointer) {
        precondition(n > 0)
        let ints = scratch.assumingMemoryBound(to: Int.self)
        start = ints
        slot = ints + (n + 1)
        let doubles = UnsafeMutableRawPointer(ints + 2 * (n + 1)).assumingMemoryBound(to: Double.self)
        centre = doubles
        moments = doubles + n
        let tables = moments + 3 * n
        let slots = GaussPlan.maximumOrder + 2
        local = tables
        derivatives = tables + slots
        reciprocal = tables + 2 * slots
        inverseFactorial = tables + 3 * slots
        lanes = tables + 4 * slots
        let p = plan.order
        reciprocal[0] = 0
        inverseFactorial[0] = 1
        for k in 1...(p + 1) {
            reciprocal[k] = 1 / Double(k)
            inverseFactorial[k] = inverseFactorial[k - 1] * reciprocal[k]
        }
        var cellCount = 0, expanded = 0, first = 0
        for i in 1...n where i == n || v[i] - v[first] > plan.width {
            start[cellCount] = first
            centre[cellCount] = 0.5 * (v[first] + v[i - 1])
            if i - first >= plan.expansionThreshold {
                slot[cellCount] = expanded
                expanded += 1
            } else {
                slot[cellCount] = -1
            }
            cellCount += 1
            first = i
        }
        start[cellCount] = n
        count = cellCount
    }
}
