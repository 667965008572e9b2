#if arch(x86_64)
import CSimd

/// The fused-apply `avx2` kernels for `Float`, `p = 1` and `p = 2`: CSimd's
/// AVX2+FMA C kernels. Another `p` runs the `simd` table
/// (`KernelSet.applyKernels`).
enum ApplyAVX2Kernels {
    static func make() -> ApplyKernels<Float> {
        ApplyKernels(
            backend: .avx2, coversGeneralPower: false,
            forward: { job, rows in
                if job.power == .one {
                    csimd_f32_softsort_apply_fwd_p1__avx2_u16(
                        job.scores, job.centres, job.values, job.output, job.normalizers, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                } else {
                    csimd_f32_softsort_apply_fwd_p2__avx2_u16(
                        job.scores, job.centres, job.values, job.output, job.normalizers, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                }
            },
            backward: { job, rows in
                if job.power == .one {
                    csimd_f32_softsort_apply_bwd_p1__avx2_u8(
                        job.scores, job.centres, job.values, job.normalizers, job.outputDots, job.outputGradient,
                        job.scoreGradient, job.valueGradient, job.centreGradient, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                } else {
                    csimd_f32_softsort_apply_bwd_p2__avx2_u8(
                        job.scores, job.centres, job.values, job.normalizers, job.outputDots, job.outputGradient,
                        job.scoreGradient, job.valueGradient, job.centreGradient, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                }
            })
    }
}
#endif
