/// The per-point loops of the expansions (the portable fallback of CSimd's
/// `f64_gauss` kernels, `GaussKernels`), mostly four points at a time in
/// `SIMD4<Double>` lanes: independent chains hide the multiply and add
/// latencies that a one-point-at-a-time Horner loop waits on. The order of
/// every sum is fixed by the cell (lanes, then lane 0 + 1 + 2 + 3, then the
/// tail), so the bits do not depend on the thread count.
enum GaussLanes {
    static let width = 4

    /// `A_m = sum_j q_j (c - v_j)^m / m!`, `m < order`, over `range` (unit
    /// weights when `weights` is `nil`).
    @inline(__always)
    static func moments(
        points v: UnsafePointer<Double>, weights: UnsafePointer<Double>?, range: Range<Int>, centre c: Double,
        order p: Int, reciprocal: UnsafePointer<Double>, lanes: UnsafeMutablePointer<Double>,
        into a: UnsafeMutablePointer<Double>
    ) {
        let partial = UnsafeMutableRawPointer(lanes).assumingMemoryBound(to: SIMD4<Double>.self)
        partial.update(repeating: .zero, count: p)
        var j = range.lowerBound
        while j + 4 <= range.upperBound {
            let minusB = SIMD4(repeating: c) - SIMD4(v[j], v[j + 1], v[j + 2], v[j + 3])
            var term = weights.map { SIMD4($0[j], $0[j + 1], $0[j + 2], $0[j + 3]) } ?? SIMD4(repeating: 1)
            for m in 0..<p {
                partial[m] += term
                term *= minusB * reciprocal[m + 1]
            }
            j += 4
        }
        for m in 0..<p { a[m] = (partial[m][0] + partial[m][1]) + (partial[m][2] + partial[m][3]) }
        while j < range.upperBound {
            let minusB = c - v[j]
            var term = weights?[j] ?? 1
            for m in 0..<p {
                a[m] += term
                term *= minusB * reciprocal[m + 1]
            }
            j += 1
        }
    }

    /// `sums[i] = sum_m L_m a^m` and `moments[i] = -1/2 d/da` of it, `a = v_i - centre`.
    @inline(__always)
    static func evaluate(
        _ local: UnsafePointer<Double>, order p: Int, points v: UnsafePointer<Double>, range: Range<Int>,
        centre: Double, sums: UnsafeMutablePointer<Double>?, moments: UnsafeMutablePointer<Double>
    ) {
        var i = range.lowerBound
        while i + 4 <= range.upperBound {
            let x = SIMD4(v[i], v[i + 1], v[i + 2], v[i + 3]) - SIMD4(repeating: centre)
            var value = SIMD4<Double>.zero, slope = SIMD4<Double>.zero
            for m in stride(from: p - 1, through: 0, by: -1) {
                slope = slope * x + value
                value = value * x + SIMD4(repeating: local[m])
            }
            slope *= -0.5
            for k in 0..<4 {
                sums?[i + k] = value[k]
                moments[i + k] = slope[k]
            }
            i += 4
        }
        while i < range.upperBound {
            let x = v[i] - centre
            var value = 0.0, slope = 0.0
            for m in stride(from: p - 1, through: 0, by: -1) {
                slope = slope * x + value
                value = value * x + local[m]
            }
            sums?[i] = value
            moments[i] = -0.5 * slope
            i += 1
        }
    }

    /// `local[m] += sum_(n < order - m) g[m + n] a[n]`: one expanded source
    /// cell's moments `a` translated into an expanded target cell's local
    /// coefficients by the kernel derivatives `g` at their centres' distance.
    /// `n` outer, `m` inner: every `local[m]` its own chain, a fixed order.
    @inline(__always)
    static func translate(
        _ local: UnsafeMutablePointer<Double>, derivatives g: UnsafePointer<Double>, moments a: UnsafePointer<Double>,
        order p: Int
    ) {
        for n in 0..<p {
            let an = a[n], gn = g + n
            for m in 0..<(p - n) { local[m] += gn[m] * an }
        }
    }

    /// `local[m] += sum_j q_j g^(m)(c - v_j)`, `m < order`, over `range`
    /// (unit weights when `weights` is `nil`): the sources of a cell that is
    /// not expanded added to an expanded target cell's local coefficients,
    /// one source at a time (`h`: `order` words of scratch).
    @inline(__always)
    static func sourcesToLocal(
        points v: UnsafePointer<Double>, weights: UnsafePointer<Double>?, range: Range<Int>, centre c: Double,
        order p: Int, derivatives h: UnsafeMutablePointer<Double>, into local: UnsafeMutablePointer<Double>
    ) {
        for j in range {
            GaussTransform.derivatives(of: c - v[j], count: p, into: h)
            let q = weights?[j] ?? 1
            for m in 0..<p { local[m] += q * h[m] }
        }
    }

    /// `sums[i] += sum_n g^(n)(v_i - c) A_n` (when `sums` is not `nil`) and
    /// `moments[i] -= 1/2 sum_n g^(n+1)(v_i - c) A_n`, `n < order`, over
    /// `range`: an expanded source cell's moments `A` at the points of a
    /// cell that is not expanded, one point at a time (`h`: `order + 1` words
    /// of scratch).
    @inline(__always)
    static func expansion(
        _ am: UnsafePointer<Double>, order p: Int, centre c: Double, at v: UnsafePointer<Double>, range: Range<Int>,
        derivatives h: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>?,
        moments: UnsafeMutablePointer<Double>
    ) {
        for i in range {
            GaussTransform.derivatives(of: v[i] - c, count: p + 1, into: h)
            var g0 = 0.0, g1 = 0.0
            for n in 0..<p {
                g0 += h[n] * am[n]
                g1 += h[n + 1] * am[n]
            }
            sums?[i] += g0
            moments[i] -= 0.5 * g1
        }
    }

    /// `(sum_j q_j g(d_j), sum_j q_j g(d_j) d_j)`, `d_j = y - v_j`, over
    /// `range`, entries with `d_j^2 > r2` left out (unit weights when
    /// `weights` is `nil`): four sources at a time, `exp` by
    /// `Double.expNonPositive` (within an ulp or two of libm's), the last one
    /// to three sources as one more vector with the missing lanes masked
    /// out, then the lanes added in a fixed order.
    @inline(__always)
    static func direct(
        target y: Double, points v: UnsafePointer<Double>, weights: UnsafePointer<Double>?, range: Range<Int>,
        radiusSquared r2: Double
    ) -> (value: Double, moment: Double) {
        var value = SIMD4<Double>.zero, moment = SIMD4<Double>.zero
        let target = SIMD4(repeating: y), limit = SIMD4(repeating: r2)
        @inline(__always) func add(_ d: SIMD4<Double>, _ q: SIMD4<Double>?) {
            let d2 = d * d
            // All ones where d^2 <= r2 (the sign bit of r2 - d^2 clear).
            let kept = ~(unsafeBitCast(limit - d2, to: SIMD4<Int64>.self) &>> 63)
            var e = Double.expNonPositive(-d2)
            if let q { e *= q }
            e = unsafeBitCast(unsafeBitCast(e, to: SIMD4<Int64>.self) & kept, to: SIMD4<Double>.self)
            value += e
            moment += e * d
        }
        var j = range.lowerBound
        while j + 4 <= range.upperBound {
            add(target - SIMD4(v[j], v[j + 1], v[j + 2], v[j + 3]),
                weights.map { SIMD4($0[j], $0[j + 1], $0[j + 2], $0[j + 3]) })
            j += 4
        }
        if j < range.upperBound {
            // Missing lanes sit 2 r away from the target: masked out.
            let far = (4 * r2).squareRoot() + 1
            var d = SIMD4<Double>(repeating: far), q = SIMD4<Double>.zero
            for k in 0..<(range.upperBound - j) {
                d[k] = y - v[j + k]
                q[k] = weights?[j + k] ?? 1
            }
            add(d, weights == nil ? nil : q)
        }
        return ((value[0] + value[1]) + (value[2] + value[3]), (moment[0] + moment[1]) + (moment[2] + moment[3]))
    }
}
