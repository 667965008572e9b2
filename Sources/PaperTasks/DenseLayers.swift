/// The dense-layer loops of `Network`: `Float`, row-major, plain
/// loops over unsafe pointers (the `out`-wide inner loops are axpys the
/// compiler vectorizes; the dot products use `SIMD8` with four accumulators,
/// since Swift does not reassociate a scalar reduction).
enum DenseLayers {
    /// `y[r, :] = x[r, :] W + b` (`W` is `in x out`), then `max(0, y)` when `relu`.
    static func forward(
        _ x: UnsafePointer<Float>, rows: Int, inputs: Int, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        outputs: Int, _ y: UnsafeMutablePointer<Float>, relu: Bool
    ) {
        for r in 0..<rows {
            let yr = y + r * outputs
            for o in 0..<outputs { yr[o] = b[o] }
            let xr = x + r * inputs
            for i in 0..<inputs {
                let xv = xr[i]
                if xv == 0 { continue }  // most inputs are ReLU zeros or blank pixels
                let wi = w + i * outputs
                for o in 0..<outputs { yr[o] += xv * wi[o] }
            }
            if relu { for o in 0..<outputs { yr[o] = max(0, yr[o]) } }
        }
    }

    /// The backward of `forward`: `dy` is `dL/dy` (after the ReLU; it is
    /// masked in place by `y > 0` when `relu`), accumulates `dW += x^T dy`,
    /// `db += sum_r dy`, and writes `dx = dy W^T` when `dx` is given.
    static func backward(
        _ x: UnsafePointer<Float>, rows: Int, inputs: Int, _ w: UnsafePointer<Float>, outputs: Int,
        _ y: UnsafePointer<Float>, relu: Bool, _ dy: UnsafeMutablePointer<Float>,
        _ dw: UnsafeMutablePointer<Float>, _ db: UnsafeMutablePointer<Float>, _ dx: UnsafeMutablePointer<Float>?
    ) {
        for r in 0..<rows {
            let dyr = dy + r * outputs
            if relu {
                let yr = y + r * outputs
                for o in 0..<outputs where yr[o] <= 0 { dyr[o] = 0 }
            }
            for o in 0..<outputs { db[o] += dyr[o] }
            let xr = x + r * inputs
            for i in 0..<inputs {
                let xv = xr[i]
                if xv == 0 { continue }
                let dwi = dw + i * outputs
                for o in 0..<outputs { dwi[o] += xv * dyr[o] }
            }
            if let dx {
                let dxr = dx + r * inputs
                for i in 0..<inputs { dxr[i] = dot(dyr, w + i * outputs, outputs) }
            }
        }
    }

    /// `sum_k a[k] b[k]`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var k = 0
        while k + 32 <= count {
            s0 += ra.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: 4 * k + 32, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * k + 32, as: SIMD8<Float>.self)
            s2 += ra.loadUnaligned(fromByteOffset: 4 * k + 64, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * k + 64, as: SIMD8<Float>.self)
            s3 += ra.loadUnaligned(fromByteOffset: 4 * k + 96, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * k + 96, as: SIMD8<Float>.self)
            k += 32
        }
        while k + 8 <= count {
            s0 += ra.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            k += 8
        }
        let s = (s0 + s1) + (s2 + s3)
        let h = s.lowHalf + s.highHalf
        let q = h.lowHalf + h.highHalf
        var total = q[0] + q[1]
        while k < count {
            total += a[k] * b[k]
            k += 1
        }
        return total
    }
}
