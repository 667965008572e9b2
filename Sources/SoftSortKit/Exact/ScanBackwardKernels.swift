extension ScanKernels {
    /// The scratch `applyBackward` needs, in elements: `A` and `L[c]`
    /// (`n x d` each), `h` (`n`) and running sums (`2 d`), times the lanes.
    static func backwardScratchCount(count n: Int, dimension d: Int, lanes: Int) -> Int {
        (2 * n * d + n + 2 * d) * lanes
    }

    /// The VJP of `Y = P W` for one block, given `G = dL/dY` (rows sorted):
    ///
    ///     c_i = G_i / Z_i,  dY_i = Y_i - W_i = (A_i + B_i) / Z_i,  h_i = <c_i, dY_i>
    ///     dL/dW_i = L[c]_i + c_i + R[c]_i
    ///     dL/dx_i = scale ( <c_i, A_i - dY_i L[1]_i> - <c_i, B_i - dY_i R[1]_i>
    ///                       + C_i - D_i - L[h]_i + R[h]_i )
    ///     C_i = sum_(j < i) K[i, j] <c_j, W_i - W_j> = f_i (C_(i-1) + <L[c]_(i-1) + c_(i-1), W_i - W_(i-1)>)
    ///     D_i = sum_(j > i) K[i, j] <c_j, W_i - W_j> = f_(i+1) (D_(i+1) + <R[c]_(i+1) + c_(i+1), W_i - W_(i+1)>)
    ///
    /// which is the dense backward with each `W_j - Y_i` kept as a local
    /// difference. `scale` is `1 / tau` descending, `-1 / tau` ascending.
    /// `Y`, when given, receives `P W`.
    @inline(__always)
    static func applyBackward<S: ScanLanes>(
        _: S.Type, factors f: UnsafePointer<S.LaneScalar>, left: UnsafePointer<S.LaneScalar>,
        right: UnsafePointer<S.LaneScalar>, values W: UnsafePointer<S.LaneScalar>,
        gradient G: UnsafePointer<S.LaneScalar>, valueGradient dW: UnsafeMutablePointer<S.LaneScalar>,
        scoreGradient dx: UnsafeMutablePointer<S.LaneScalar>, output Y: UnsafeMutablePointer<S.LaneScalar>?,
        count n: Int, dimension d: Int, scale: S.LaneScalar, scratch: UnsafeMutablePointer<S.LaneScalar>
    ) {
        guard n > 0 else { return }
        let w = S.laneCount, one = S(repeating: 1), row = d * w
        let A = scratch, Lc = scratch + n * row, h = Lc + n * row
        let runningB = h + n * w, runningRc = runningB + row
        if d == 1 {
            applyBackwardOfOneColumn(
                S.self, factors: f, left: left, right: right, values: W, gradient: G, valueGradient: dW,
                scoreGradient: dx, output: Y, count: n, A: A, Lc: Lc, h: h)
        } else {
            // Pass 1, left to right: A, L[c], C (into dx).
            for k in 0..<d {
                S.zero.store(A + k * w)
                S.zero.store(Lc + k * w)
            }
            S.zero.store(dx)
            for i in 1..<max(n, 1) {
                let fi = S.load(f + i * w), previousLeft = S.load(left + (i - 1) * w)
                let weight = previousLeft + one
                let inverseZ = one / (weight + S.load(right + (i - 1) * w))
                var inner = S.zero
                for k in 0..<d {
                    let previous = (i - 1) * row + k * w, here = i * row + k * w
                    let mass = S.load(Lc + previous) + S.load(G + previous) * inverseZ
                    (fi * mass).store(Lc + here)
                    let step = S.load(W + here) - S.load(W + previous)
                    (fi * (S.load(A + previous) - weight * step)).store(A + here)
                    inner = inner + mass * step
                }
                (fi * (S.load(dx + (i - 1) * w) + inner)).store(dx + i * w)
            }
            // Pass 2, right to left: B, R[c], D, R[h]; h, dL/dW, and dx without L[h].
            for k in 0..<d {
                S.zero.store(runningB + k * w)
                S.zero.store(runningRc + k * w)
            }
            var D = S.zero, Rh = S.zero
            var i = n - 1
            while i >= 0 {
                if i < n - 1 {
                    let fn = S.load(f + (i + 1) * w), nextRight = S.load(right + (i + 1) * w)
                    let weight = nextRight + one
                    let inverseZ = one / (weight + S.load(left + (i + 1) * w))
                    var inner = S.zero
                    for k in 0..<d {
                        let next = (i + 1) * row + k * w, here = i * row + k * w
                        let mass = S.load(runningRc + k * w) + S.load(G + next) * inverseZ
                        (fn * mass).store(runningRc + k * w)
                        let step = S.load(W + next) - S.load(W + here)
                        (fn * (S.load(runningB + k * w) + weight * step)).store(runningB + k * w)
                        inner = inner - mass * step
                    }
                    D = fn * (D + inner)
                    Rh = fn * (Rh + S.load(h + (i + 1) * w))
                }
                let l1 = S.load(left + i * w), r1 = S.load(right + i * w)
                let inverseZ = one / (one + l1 + r1)
                var hSum = S.zero, rowTerm = S.zero
                for k in 0..<d {
                    let here = i * row + k * w
                    let c = S.load(G + here) * inverseZ
                    let a = S.load(A + here), b = S.load(runningB + k * w)
                    let dy = (a + b) * inverseZ
                    hSum = hSum + c * dy
                    rowTerm = rowTerm + c * ((a - dy * l1) - (b - dy * r1))
                    (S.load(Lc + here) + c + S.load(runningRc + k * w)).store(dW + here)
                    if let Y { (S.load(W + here) + dy).store(Y + here) }
                }
                hSum.store(h + i * w)
                (rowTerm + S.load(dx + i * w) - D + Rh).store(dx + i * w)
                i -= 1
            }
        }
        // Pass 3, left to right: subtract L[h] and scale.
        let scaleVector = S(repeating: scale)
        var Lh = S.zero
        (scaleVector * S.load(dx)).store(dx)
        for i in 1..<max(n, 1) {
            Lh = S.load(f + i * w) * (Lh + S.load(h + (i - 1) * w))
            (scaleVector * (S.load(dx + i * w) - Lh)).store(dx + i * w)
        }
    }

    /// Passes 1 and 2 of `applyBackward` for `d = 1`, with the running sums in
    /// registers; the same arithmetic in the same order.
    @inline(__always)
    static func applyBackwardOfOneColumn<S: ScanLanes>(
        _: S.Type, factors f: UnsafePointer<S.LaneScalar>, left: UnsafePointer<S.LaneScalar>,
        right: UnsafePointer<S.LaneScalar>, values W: UnsafePointer<S.LaneScalar>,
        gradient G: UnsafePointer<S.LaneScalar>, valueGradient dW: UnsafeMutablePointer<S.LaneScalar>,
        scoreGradient dx: UnsafeMutablePointer<S.LaneScalar>, output Y: UnsafeMutablePointer<S.LaneScalar>?,
        count n: Int, A: UnsafeMutablePointer<S.LaneScalar>, Lc: UnsafeMutablePointer<S.LaneScalar>,
        h: UnsafeMutablePointer<S.LaneScalar>
    ) {
        let w = S.laneCount, one = S(repeating: 1)
        var a = S.zero, lc = S.zero, cc = S.zero
        a.store(A)
        lc.store(Lc)
        cc.store(dx)
        var previousW = S.load(W)
        for i in 1..<max(n, 1) {
            let fi = S.load(f + i * w), weight = S.load(left + (i - 1) * w) + one
            let inverseZ = one / (weight + S.load(right + (i - 1) * w))
            let mass = lc + S.load(G + (i - 1) * w) * inverseZ
            let here = S.load(W + i * w), step = here - previousW
            lc = fi * mass
            a = fi * (a - weight * step)
            cc = fi * (cc + mass * step)
            lc.store(Lc + i * w)
            a.store(A + i * w)
            cc.store(dx + i * w)
            previousW = here
        }
        var b = S.zero, rc = S.zero, D = S.zero, Rh = S.zero, nextH = S.zero, nextW = S.zero
        var i = n - 1
        while i >= 0 {
            let here = S.load(W + i * w)
            if i < n - 1 {
                let fn = S.load(f + (i + 1) * w), weight = S.load(right + (i + 1) * w) + one
                let inverseZ = one / (weight + S.load(left + (i + 1) * w))
                let mass = rc + S.load(G + (i + 1) * w) * inverseZ
                let step = nextW - here
                rc = fn * mass
                b = fn * (b + weight * step)
                D = fn * (D - mass * step)
                Rh = fn * (Rh + nextH)
            }
            let l1 = S.load(left + i * w), r1 = S.load(right + i * w)
            let inverseZ = one / (one + l1 + r1)
            let c = S.load(G + i * w) * inverseZ, aHere = S.load(A + i * w)
            let dy = (aHere + b) * inverseZ
            nextH = c * dy
            nextH.store(h + i * w)
            (S.load(Lc + i * w) + c + rc).store(dW + i * w)
            if let Y { (here + dy).store(Y + i * w) }
            (c * ((aHere - dy * l1) - (b - dy * r1)) + S.load(dx + i * w) - D + Rh).store(dx + i * w)
            nextW = here
            i -= 1
        }
    }

    // MARK: Cross-entropy

    /// `d(sum_i log Z_i) / dx` for one block:
    ///
    ///     scale ( (L[1]_i - R[1]_i) / Z_i + L[q]_i - R[q]_i ),   q_j = 1 / Z_j
    ///
    /// `q` first, a full SIMD vector at a time over the block; then the two
    /// scans, one step of each per iteration (two independent chains), `L[q]`
    /// into `dx` and `R[q]` into `scratch`; then the sum, elementwise again.
    /// `scratch` holds `2 n` lane vectors (`q`, then `R[q]`).
    @inline(__always)
    static func logNormalizerGradient<S: ScanLanes>(
        _: S.Type, factors f: UnsafePointer<S.LaneScalar>, left: UnsafePointer<S.LaneScalar>,
        right: UnsafePointer<S.LaneScalar>, scoreGradient dx: UnsafeMutablePointer<S.LaneScalar>,
        count n: Int, scale: S.LaneScalar, scratch: UnsafeMutablePointer<S.LaneScalar>
    ) {
        guard n > 0 else { return }
        typealias E = S.LaneScalar
        typealias V = E.Vector
        let w = S.laneCount, total = n * w, width = V.scalarCount
        let q = scratch, Rq = scratch + total
        var e = 0
        while e + width <= total {
            let z = V(repeating: 1) + SIMDMemory.load(left, e) + SIMDMemory.load(right, e)
            SIMDMemory.store(V(repeating: 1) / z, q, e)
            e += width
        }
        while e < total {
            q[e] = 1 / (1 + left[e] + right[e])
            e += 1
        }
        bothScans(S.self, factors: f, count: n, left: dx, right: Rq, addend: { i in S.load(q + i * w) })
        let scaleVector = V(repeating: scale)
        e = 0
        while e + width <= total {
            let l1 = SIMDMemory.load(left, e), r1 = SIMDMemory.load(right, e)
            let sum = (l1 - r1) * SIMDMemory.load(q, e) + SIMDMemory.load(dx, e)
            SIMDMemory.store(scaleVector * (sum - SIMDMemory.load(Rq, e)), dx, e)
            e += width
        }
        while e < total {
            dx[e] = scale * ((left[e] - right[e]) * q[e] + dx[e] - Rq[e])
            e += 1
        }
    }
}
