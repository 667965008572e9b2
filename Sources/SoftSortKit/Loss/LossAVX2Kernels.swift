#if arch(x86_64)
import CSimd

/// The fused-loss `avx2` kernels for `Float`: CSimd's AVX2+FMA SoftSort
/// cross-entropy for `p = 1` and `p = 2` (rows of up to 64 eight batch rows
/// at a time, lanes across rows) and NeuralSort cross-entropy. Every
/// other loss (another `p`, the kNN loss) runs the `simd` table (`KernelSet.lossKernels`),
/// so a result reports what ran. The row buffer is the job's, so a call
/// allocates nothing.
enum LossAVX2Kernels {
    static func make() -> LossKernels<Float> {
        let simd = LossKernels<Float>.simd()
        return LossKernels(
            backend: .avx2, coversEverything: false,
            softSortCrossEntropy: { job, rows in
                var params = csimd_f32_softsort_loss_params(
                    scores: job.scores, centres: job.centres, targets: job.targets, scratch: job.rowBuffer,
                    column_gradient: job.columnGradient, centre_gradient: job.centreGradient, count: job.count,
                    temperature: job.temperature)
                if job.power == .one {
                    return csimd_f32_softsort_loss_p1__avx2_u32(&params, rows.lowerBound, rows.upperBound)
                }
                return csimd_f32_softsort_loss_p2__avx2_u32(&params, rows.lowerBound, rows.upperBound)
            },
            nearestNeighbors: simd.nearestNeighbors,
            neuralSortCrossEntropy: { job, rows in
                var params = csimd_f32_neuralsort_loss_params(
                    scores: job.scores, column_sums: job.columnSums, targets: job.targets, scratch: job.rowBuffer,
                    score_gradient: job.scoreGradient, column_sum_gradient: job.columnSumGradient,
                    count: job.count, temperature: job.temperature, sign: job.sign)
                return csimd_f32_neuralsort_loss__avx2_u32(&params, rows.lowerBound, rows.upperBound)
            },
            shortRowCrossEntropy: { job in
                var params = csimd_f32_softsort_loss_rows_params(
                    scores: job.scores, targets: job.targets, scratch: job.scratch, gradient: job.gradient,
                    batch: job.batch, count: job.count, first: job.first, temperature: job.temperature,
                    descending: job.descending ? 1 : 0)
                if job.power == .one { return csimd_f32_softsort_loss_rows_p1__avx2_x8(&params) }
                return csimd_f32_softsort_loss_rows_p2__avx2_x8(&params)
            })
    }
}
#endif
