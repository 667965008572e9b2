#if arch(x86_64)
import CSimd

/// The dense `avx2` kernels for `Float`: CSimd's AVX2+FMA C kernels for
/// SoftSort with `p = 1` and `p = 2` and for NeuralSort. Built only where the
/// CPU probe says AVX2 and FMA run; another `p` runs the `simd` table
/// (`KernelSet.denseKernels`), so a result reports what ran.
enum DenseAVX2Kernels {
    static func make() -> DenseKernels<Float> {
        DenseKernels(
            backend: .avx2, coversGeneralPower: false,
            softSortForward: { job, rows in
                if job.power == .one {
                    csimd_f32_softsort_fwd_p1__avx2_u32(
                        job.scores, job.centres, job.matrix, job.count, job.temperature,
                        rows.lowerBound, rows.upperBound, job.streamingStores)
                } else {
                    csimd_f32_softsort_fwd_p2__avx2_u32(
                        job.scores, job.centres, job.matrix, job.count, job.temperature,
                        rows.lowerBound, rows.upperBound, job.streamingStores)
                }
            },
            softSortBackward: { job, rows in
                if job.power == .one {
                    csimd_f32_softsort_bwd_p1__avx2_u16(
                        job.scores, job.centres, job.matrix, job.matrixGradient, job.columnGradient,
                        job.centreGradient, job.count, job.temperature, rows.lowerBound, rows.upperBound)
                } else {
                    csimd_f32_softsort_bwd_p2__avx2_u16(
                        job.scores, job.centres, job.matrix, job.matrixGradient, job.columnGradient,
                        job.centreGradient, job.count, job.temperature, rows.lowerBound, rows.upperBound)
                }
            },
            neuralSortForward: { job, rows in
                csimd_f32_neuralsort_fwd__avx2_u16(
                    job.scores, job.columnSums, job.matrix, job.count, job.temperature, job.sign,
                    rows.lowerBound, rows.upperBound, job.streamingStores)
            },
            neuralSortBackward: { job, rows in
                csimd_f32_neuralsort_bwd__avx2_u8(
                    job.matrix, job.matrixGradient, job.scoreGradient, job.columnSumGradient, job.count,
                    job.temperature, job.sign, rows.lowerBound, rows.upperBound)
            },
            columnSums: { scores, count, sums in csimd_f32_neuralsort_colsums__avx2_u16(scores, count, sums) },
            columnSumsBackward: { scores, count, sumGradient, gradient in
                csimd_f32_neuralsort_colsums_bwd__avx2_u8(scores, count, sumGradient, gradient)
            })
    }
}
#endif
