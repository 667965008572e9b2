/// The one-sided scans of exact `p = 1` SoftSort on one block of batch rows
/// (the documentation article ExactScan).
///
/// Everything is in sorted coordinates: `x_0 >= x_1 >= ...` (descending; the
/// reverse when ascending), `K[i, j] = exp(-|x_i - x_j| / tau)`, and
///
///     f_i  = exp(-|x_(i-1) - x_i| / tau)   (f_0 = 0), every f_i in [0, 1]
///     L[u]_i = sum_(j < i) K[i, j] u_j = f_i (L[u]_(i-1) + u_(i-1))
///     R[u]_i = sum_(j > i) K[i, j] u_j = f_(i+1) (R[u]_(i+1) + u_(i+1))
///     Z_i  = 1 + L[1]_i + R[1]_i >= 1
///
/// Every factor is at most 1, so no scan overflows for any `tau`. Buffers are
/// in the block layout of `ScanLanes` (lane = batch row); `d` is the value
/// dimension. `P V` is scanned in difference form,
///
///     A_i = sum_(j < i) K[i, j] (W_j - W_i) = f_i (A_(i-1) + (L[1]_(i-1) + 1) (W_(i-1) - W_i))
///     B_i = sum_(j > i) K[i, j] (W_j - W_i) = f_(i+1) (B_(i+1) + (R[1]_(i+1) + 1) (W_(i+1) - W_i))
///     (P V)_i = W_i + (A_i + B_i) / Z_i
///
/// so that `P V - W`, and the backward's `W_j - Y_i`, are summed from local
/// differences instead of cancelling between large sums.
enum ScanKernels {
    // MARK: Normalizers

    /// `f`, `L[1]` and `R[1]` of one block from its sorted scores `x`.
    ///
    /// The factors are elementwise over the whole block (`f[e]` pairs
    /// `x[e - lanes]` with `x[e]`), so they are computed a full SIMD vector
    /// at a time whatever the lane count; only the two scans are serial.
    @inline(__always)
    static func prepare<S: ScanLanes>(
        _: S.Type, sorted x: UnsafePointer<S.LaneScalar>, factors f: UnsafeMutablePointer<S.LaneScalar>,
        left: UnsafeMutablePointer<S.LaneScalar>, right: UnsafeMutablePointer<S.LaneScalar>,
        count n: Int, inverseTemperature: S.LaneScalar
    ) {
        guard n > 0 else { return }
        typealias E = S.LaneScalar
        let w = S.laneCount, one = S(repeating: 1)
        let width = E.Vector.scalarCount, total = n * w
        let inverseTau = E.Vector(repeating: inverseTemperature)
        for e in 0..<w { f[e] = 0 }
        var e = w
        while e + width <= total {
            let gap = SIMDMemory.load(x, e - w) - SIMDMemory.load(x, e)
            SIMDMemory.store(E.expNonPositive(E.negativeMagnitude(gap) * inverseTau), f, e)
            e += width
        }
        while e < total {
            f[e] = E.expNonPositive(-abs(x[e - w] - x[e]) * inverseTemperature)
            e += 1
        }
        bothScans(S.self, factors: f, count: n, left: left, right: right, addend: { _ in one })
    }

    /// The left scan `L_i = f_i (L_(i-1) + a_(i-1))` (`L_0 = 0`) into `left`
    /// and the right scan `R_i = f_(i+1) (R_(i+1) + a_(i+1))` (`R_(n-1) = 0`)
    /// into `right`, one step of each per iteration: two independent chains
    /// of multiply-adds overlap (the same operations in the same order as one
    /// scan after the other, so the same bits). `addend(i)` is `a_i`.
    @inline(__always)
    static func bothScans<S: ScanLanes>(
        _: S.Type, factors f: UnsafePointer<S.LaneScalar>, count n: Int,
        left: UnsafeMutablePointer<S.LaneScalar>, right: UnsafeMutablePointer<S.LaneScalar>,
        addend: (Int) -> S
    ) {
        let w = S.laneCount
        var l = S.zero, r = S.zero
        l.store(left)
        r.store(right + (n - 1) * w)
        for k in 1..<max(n, 1) {
            let j = n - 1 - k
            l = S.load(f + k * w) * (l + addend(k - 1))
            r = S.load(f + (j + 1) * w) * (r + addend(j + 1))
            l.store(left + k * w)
            r.store(right + j * w)
        }
    }

    // MARK: Y = P V

    /// `Y = P W` for one block: `W` and `Y` are `n x d` per lane.
    /// `running` holds `d` vectors of scratch.
    @inline(__always)
    static func apply<S: ScanLanes>(
        _: S.Type, factors f: UnsafePointer<S.LaneScalar>, left: UnsafePointer<S.LaneScalar>,
        right: UnsafePointer<S.LaneScalar>, values W: UnsafePointer<S.LaneScalar>,
        output Y: UnsafeMutablePointer<S.LaneScalar>, count n: Int, dimension d: Int,
        running: UnsafeMutablePointer<S.LaneScalar>
    ) {
        guard n > 0 else { return }
        let w = S.laneCount, one = S(repeating: 1), row = d * w
        if d == 1 {
            // The same scans with the running sums in registers.
            var a = S.zero, previous = S.load(W)
            a.store(Y)
            for i in 1..<max(n, 1) {
                let here = S.load(W + i * w)
                a = S.load(f + i * w) * (a + (S.load(left + (i - 1) * w) + one) * (previous - here))
                a.store(Y + i * w)
                previous = here
            }
            var b = S.zero, next = S.zero
            var i = n - 1
            while i >= 0 {
                let here = S.load(W + i * w)
                if i < n - 1 {
                    b = S.load(f + (i + 1) * w) * (b + (S.load(right + (i + 1) * w) + one) * (next - here))
                }
                let inverseZ = one / (one + S.load(left + i * w) + S.load(right + i * w))
                (here + (S.load(Y + i * w) + b) * inverseZ).store(Y + i * w)
                next = here
                i -= 1
            }
            return
        }
        // Left pass: A into Y.
        for k in 0..<d { S.zero.store(Y + k * w) }
        for i in 1..<max(n, 1) {
            let fi = S.load(f + i * w), weight = S.load(left + (i - 1) * w) + one
            for k in 0..<d {
                let previous = (i - 1) * row + k * w, here = i * row + k * w
                let a = fi * (S.load(Y + previous) + weight * (S.load(W + previous) - S.load(W + here)))
                a.store(Y + here)
            }
        }
        // Right pass: B running, Y = W + (A + B) / Z.
        for k in 0..<d { S.zero.store(running + k * w) }
        var i = n - 1
        while i >= 0 {
            let inverseZ = one / (one + S.load(left + i * w) + S.load(right + i * w))
            if i < n - 1 {
                let fn = S.load(f + (i + 1) * w), weight = S.load(right + (i + 1) * w) + one
                for k in 0..<d {
                    let next = (i + 1) * row + k * w, here = i * row + k * w
                    let b = fn * (S.load(running + k * w) + weight * (S.load(W + next) - S.load(W + here)))
                    b.store(running + k * w)
                }
            }
            for k in 0..<d {
                let here = i * row + k * w
                let y = S.load(W + here) + (S.load(Y + here) + S.load(running + k * w)) * inverseZ
                y.store(Y + here)
            }
            i -= 1
        }
    }

    // MARK: P^T U

    /// `O = P^T U` for one block, in sorted column order: with `u_i = U_i / Z_i`,
    /// `O_j = L[u]_j + u_j + R[u]_j` (`K` is symmetric). `running` holds `d` vectors.
    @inline(__always)
    static func applyTransposed<S: ScanLanes>(
        _: S.Type, factors f: UnsafePointer<S.LaneScalar>, left: UnsafePointer<S.LaneScalar>,
        right: UnsafePointer<S.LaneScalar>, rows U: UnsafePointer<S.LaneScalar>,
        output O: UnsafeMutablePointer<S.LaneScalar>, count n: Int, dimension d: Int,
        running: UnsafeMutablePointer<S.LaneScalar>
    ) {
        guard n > 0 else { return }
        let w = S.laneCount, one = S(repeating: 1), row = d * w
        for k in 0..<d { S.zero.store(O + k * w) }
        for i in 1..<max(n, 1) {
            let fi = S.load(f + i * w)
            let inverseZ = one / (one + S.load(left + (i - 1) * w) + S.load(right + (i - 1) * w))
            for k in 0..<d {
                let previous = (i - 1) * row + k * w
                (fi * (S.load(O + previous) + S.load(U + previous) * inverseZ)).store(O + i * row + k * w)
            }
        }
        for k in 0..<d { S.zero.store(running + k * w) }
        var i = n - 1
        while i >= 0 {
            let inverseZ = one / (one + S.load(left + i * w) + S.load(right + i * w))
            if i < n - 1 {
                let fn = S.load(f + (i + 1) * w)
                let nextInverseZ = one / (one + S.load(left + (i + 1) * w) + S.load(right + (i + 1) * w))
                for k in 0..<d {
                    let next = (i + 1) * row + k * w
                    (fn * (S.load(running + k * w) + S.load(U + next) * nextInverseZ)).store(running + k * w)
                }
            }
            for k in 0..<d {
                let here = i * row + k * w
                (S.load(O + here) + S.load(U + here) * inverseZ + S.load(running + k * w)).store(O + here)
            }
            i -= 1
        }
    }
}
