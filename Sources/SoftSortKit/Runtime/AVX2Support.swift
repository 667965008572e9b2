#if arch(x86_64)
import CSimd
#endif

/// What this build and this CPU offer for the `avx2` backend.
enum AVX2Support {
    /// Whether the `avx2` backend can be chosen: the C kernels exist in this
    /// build (x86-64) and the cached CPU probe says AVX2, FMA and the OS's
    /// YMM state support are there.
    static var kernelsAvailable: Bool {
        #if arch(x86_64)
        return csimd_cpu_has_avx2_fma()
        #else
        return false
        #endif
    }
}

extension Float {
    /// CSimd's tables, where this build and CPU run them.
    static var avx2Kernels: AVX2KernelTables<Float>? {
        #if arch(x86_64)
        guard AVX2Support.kernelsAvailable else { return nil }
        return AVX2KernelTables(dense: DenseAVX2Kernels.make(), apply: ApplyAVX2Kernels.make(), loss: nil)
        #else
        return nil
        #endif
    }
}

extension Double {
    /// `Double` has no C kernels: `avx2` runs the `simd` ones.
    static var avx2Kernels: AVX2KernelTables<Double>? { nil }
}

/// The C kernels' standalone `exp`, for `simd-bench kernels` (its roofline
/// loop) and the exp accuracy tests.
package enum AVX2Diagnostics {
    /// `y[j] = exp(x[j])` for `x[j] <= 0` by `csimd_f32_expminus_u2__avx2_u32`,
    /// pointer to pointer; false where it cannot run.
    @discardableResult
    package static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        #if arch(x86_64)
        guard AVX2Support.kernelsAvailable else { return false }
        csimd_f32_expminus_u2__avx2_u32(x, y, count)
        return true
        #else
        return false
        #endif
    }

    /// `exp(x)` for `x <= 0` by the standalone AVX2 `exp`, or `nil` where it cannot run.
    package static func exp(_ x: [Float]) -> [Float]? {
        guard AVX2Support.kernelsAvailable else { return nil }
        var y = [Float](repeating: 0, count: x.count)
        guard !x.isEmpty else { return y }
        let ran = x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in exp(xs.baseAddress!, ys.baseAddress!, count: x.count) }
        }
        return ran ? y : nil
    }
}
