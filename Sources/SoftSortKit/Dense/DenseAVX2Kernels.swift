#if arch(x86_64)
import CSimd

/// The dense `avx2` kernels for `Float`: CSimd's AVX2+FMA C kernels for
/// SoftSort with `p = 1` and `p = 2` and for NeuralSort. Built only where the
/// CPU probe says AVX2 and FMA run; another `p` runs the `simd` table
/// (`KernelSet.denseKernels`), so a result reports what ran.
///
/// Each call fills the kernel's params struct on the stack. None of these
/// kernels needs scratch unless a job streams (`streamingBuffer`, which the
/// library never sets), so a call allocates nothing.
enum DenseAVX2Kernels {
    static func make() -> DenseKernels<Float> {
        DenseKernels(
            backend: .avx2, coversGeneralPower: false,
            softSortForward: { job, rows in
                var params = csimd_f32_softsort_fwd_params(
                    scores: job.scores, centres: job.centres, matrix: job.matrix, scratch: job.streamingBuffer,
                    count: job.count, temperature: job.temperature, stream: job.streamingBuffer != nil)
                if job.power == .one {
                    csimd_f32_softsort_fwd_p1__avx2_u32(&params, rows.lowerBound, rows.upperBound)
                } else {
                    csimd_f32_softsort_fwd_p2__avx2_u32(&params, rows.lowerBound, rows.upperBound)
                }
            },
            softSortBackward: { job, rows in
                var params = csimd_f32_softsort_bwd_params(
                    scores: job.scores, centres: job.centres, matrix: job.matrix, matrix_gradient: job.matrixGradient,
                    column_gradient: job.columnGradient, centre_gradient: job.centreGradient, count: job.count,
                    temperature: job.temperature)
                if job.power == .one {
                    csimd_f32_softsort_bwd_p1__avx2_u16(&params, rows.lowerBound, rows.upperBound)
                } else {
                    csimd_f32_softsort_bwd_p2__avx2_u16(&params, rows.lowerBound, rows.upperBound)
                }
            },
            neuralSortForward: { job, rows in
                var params = csimd_f32_neuralsort_fwd_params(
                    scores: job.scores, column_sums: job.columnSums, matrix: job.matrix, scratch: job.streamingBuffer,
                    count: job.count, temperature: job.temperature, sign: job.sign,
                    stream: job.streamingBuffer != nil)
                csimd_f32_neuralsort_fwd__avx2_u16(&params, rows.lowerBound, rows.upperBound)
            },
            neuralSortBackward: { job, rows in
                var params = csimd_f32_neuralsort_bwd_params(
                    matrix: job.matrix, matrix_gradient: job.matrixGradient, score_gradient: job.scoreGradient,
                    column_sum_gradient: job.columnSumGradient, count: job.count, temperature: job.temperature,
                    sign: job.sign)
                csimd_f32_neuralsort_bwd__avx2_u8(&params, rows.lowerBound, rows.upperBound)
            },
            columnSums: { scores, count, sums in
                var params = csimd_f32_neuralsort_colsums_params(scores: scores, sums: sums, count: count)
                csimd_f32_neuralsort_colsums__avx2_u16(&params)
            },
            columnSumsBackward: { scores, count, sumGradient, gradient in
                var params = csimd_f32_neuralsort_colsums_bwd_params(
                    scores: scores, sum_gradient: sumGradient, gradient: gradient, count: count)
                csimd_f32_neuralsort_colsums_bwd__avx2_u8(&params)
            })
    }
}
#endif
