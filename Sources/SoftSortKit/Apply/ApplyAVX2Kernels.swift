#if arch(x86_64)
import CSimd

/// The fused-apply `avx2` kernels for `Float`, `p = 1` and `p = 2`: CSimd's
/// AVX2+FMA C kernels. Another `p` runs the `simd` table
/// (`KernelSet.applyKernels`).
///
/// Each call fills the kernel's params struct on the stack. The C kernels'
/// scratch (one tile forward, two backward, none for `d = 1`) is the job's
/// `scratch`, which the engine allocates once per work range
/// (`ApplyTiling.scratchCount`, two tiles).
enum ApplyAVX2Kernels {
    static func make() -> ApplyKernels<Float> {
        ApplyKernels(
            backend: .avx2, coversGeneralPower: false,
            forward: { job, rows in
                assert(ApplyTiling.scratchCount(count: job.count, columnTile: job.columnTile)
                    >= csimd_f32_softsort_apply_fwd_scratch_count(job.count, job.dimension, job.columnTile))
                var params = csimd_f32_softsort_apply_fwd_params(
                    scores: job.scores, centres: job.centres, values_t: job.values, output: job.output,
                    normalizers: job.normalizers, scratch: job.scratch, count: job.count, dimension: job.dimension,
                    column_tile: job.columnTile, temperature: job.temperature)
                if job.power == .one {
                    csimd_f32_softsort_apply_fwd_p1__avx2_u16(&params, rows.lowerBound, rows.upperBound)
                } else {
                    csimd_f32_softsort_apply_fwd_p2__avx2_u16(&params, rows.lowerBound, rows.upperBound)
                }
            },
            backward: { job, rows in
                assert(ApplyTiling.scratchCount(count: job.count, columnTile: job.columnTile)
                    >= csimd_f32_softsort_apply_bwd_scratch_count(job.count, job.dimension, job.columnTile))
                var params = csimd_f32_softsort_apply_bwd_params(
                    scores: job.scores, centres: job.centres, values_t: job.values, normalizers: job.normalizers,
                    output_dots: job.outputDots, output_gradient: job.outputGradient,
                    score_gradient: job.scoreGradient, values_t_gradient: job.valueGradient,
                    centre_gradient: job.centreGradient, scratch: job.scratch, count: job.count,
                    dimension: job.dimension, column_tile: job.columnTile, temperature: job.temperature)
                if job.power == .one {
                    csimd_f32_softsort_apply_bwd_p1__avx2_u8(&params, rows.lowerBound, rows.upperBound)
                } else {
                    csimd_f32_softsort_apply_bwd_p2__avx2_u8(&params, rows.lowerBound, rows.upperBound)
                }
            })
    }
}
#endif
