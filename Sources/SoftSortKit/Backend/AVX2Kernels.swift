#if arch(x86_64)
import CSimd
#endif

/// Tuning knobs of the AVX2 kernels, for benchmarks (`simd-bench kernels`).
package enum AVX2Tuning {
    /// The forward kernels write `P` with non-temporal stores from this row
    /// length on: the matrix is then written once without being read first.
    /// `0` streams always; the default `Int.max` never does, because on this
    /// machine it did not help (`simd-bench kernels --compare`, B = 20, n =
    /// 1000 and 4000: 0.97x to 1.16x the time of plain stores). Set it only
    /// while no kernel runs.
    nonisolated(unsafe) package static var streamingMinimumCount = Int.max
}

/// The `avx2` backend: CSimd's AVX2+FMA kernels (Float, `p = 1` and `p = 2`,
/// NeuralSort) behind the same tables as the Swift kernels; every other case
/// (general `p`) runs the `simd` kernels. Chosen only where the CPU probe says
/// AVX2 and FMA run; on other architectures nothing here is compiled in.
enum AVX2Kernels {
    /// The `avx2` row kernels for `T`, or `nil` when `T` has none (`Double`)
    /// or this build or CPU cannot run them.
    static func rowTable<T>(for _: T.Type) -> _RowKernels<T>? {
        #if arch(x86_64)
        guard AVX2Support.kernelsAvailable else { return nil }
        return floatRowTable as? _RowKernels<T>
        #else
        return nil
        #endif
    }

    /// The `avx2` apply kernels for `T`, as `rowTable(for:)`.
    static func applyTable<T>(for _: T.Type) -> ApplyKernelTable<T>? {
        #if arch(x86_64)
        guard AVX2Support.kernelsAvailable else { return nil }
        return floatApplyTable as? ApplyKernelTable<T>
        #else
        return nil
        #endif
    }

    #if arch(x86_64)
    @inline(__always)
    static func streams(_ count: Int) -> Bool { count >= AVX2Tuning.streamingMinimumCount }

    /// The C SoftSort forward (`p = 1` or `p = 2`) over `rows`, streaming
    /// stores or not (tests call it directly to compare both).
    static func softSortForward(_ job: SoftSortRowJob<Float>, _ rows: Range<Int>, stream: Bool) {
        if case .one = job.power {
            csimd_f32_softsort_fwd_p1__avx2_u32(
                job.scores, job.centres, job.matrix, job.count, job.temperature,
                rows.lowerBound, rows.upperBound, stream)
        } else {
            precondition(job.power == .two, "the C forward has p = 1 and p = 2 only")
            csimd_f32_softsort_fwd_p2__avx2_u32(
                job.scores, job.centres, job.matrix, job.count, job.temperature,
                rows.lowerBound, rows.upperBound, stream)
        }
    }

    static let floatRowTable: _RowKernels<Float> = {
        let simd = _RowKernels<Float>.make(.simd)
        return _RowKernels(
            backend: .avx2,
            softSortForward: { job, rows in
                if case .general = job.power { return simd.softSortForward(job, rows) }
                softSortForward(job, rows, stream: streams(job.count))
            },
            softSortBackward: { job, rows in
                switch job.power {
                case .one:
                    csimd_f32_softsort_bwd_p1__avx2_u16(
                        job.scores, job.centres, job.matrix, job.matrixGradient, job.columnGradient,
                        job.centreGradient, job.count, job.temperature, rows.lowerBound, rows.upperBound)
                case .two:
                    csimd_f32_softsort_bwd_p2__avx2_u16(
                        job.scores, job.centres, job.matrix, job.matrixGradient, job.columnGradient,
                        job.centreGradient, job.count, job.temperature, rows.lowerBound, rows.upperBound)
                case .general:
                    simd.softSortBackward(job, rows)
                }
            },
            neuralSortForward: { job, rows in
                csimd_f32_neuralsort_fwd__avx2_u16(
                    job.scores, job.columnSums, job.matrix, job.count, job.temperature, job.sign,
                    rows.lowerBound, rows.upperBound, streams(job.count))
            },
            neuralSortBackward: { job, rows in
                csimd_f32_neuralsort_bwd__avx2_u8(
                    job.matrix, job.matrixGradient, job.scoreGradient, job.columnSumGradient, job.count,
                    job.temperature, job.sign, rows.lowerBound, rows.upperBound)
            },
            columnSums: { scores, count, sums in csimd_f32_neuralsort_colsums__avx2_u16(scores, count, sums) },
            columnSumsBackward: { scores, count, sumGradient, gradient in
                csimd_f32_neuralsort_colsums_bwd__avx2_u8(scores, count, sumGradient, gradient)
            },
            argsort: simd.argsort,
            accumulate: simd.accumulate,
            matrixVector: simd.matrixVector)
    }()

    static let floatApplyTable: ApplyKernelTable<Float> = {
        let simd = ApplyKernelTable<Float>.make(.simd)
        return ApplyKernelTable(
            backend: .avx2,
            forward: { job, rows in
                switch job.power {
                case .one:
                    csimd_f32_softsort_apply_fwd_p1__avx2_u16(
                        job.scores, job.centres, job.values, job.output, job.normalizers, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                case .two:
                    csimd_f32_softsort_apply_fwd_p2__avx2_u16(
                        job.scores, job.centres, job.values, job.output, job.normalizers, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                case .general:
                    simd.forward(job, rows)
                }
            },
            backward: { job, rows in
                switch job.power {
                case .one:
                    csimd_f32_softsort_apply_bwd_p1__avx2_u8(
                        job.scores, job.centres, job.values, job.normalizers, job.outputDots, job.outputGradient,
                        job.scoreGradient, job.valueGradient, job.centreGradient, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                case .two:
                    csimd_f32_softsort_apply_bwd_p2__avx2_u8(
                        job.scores, job.centres, job.values, job.normalizers, job.outputDots, job.outputGradient,
                        job.scoreGradient, job.valueGradient, job.centreGradient, job.count, job.dimension,
                        job.temperature, job.columnTile, rows.lowerBound, rows.upperBound)
                case .general:
                    simd.backward(job, rows)
                }
            })
    }()
    #endif
}

/// Diagnostics of the C kernels, for tests and `simd-bench`.
package enum AVX2Diagnostics {
    /// How many AVX2 C kernel calls have run in this process (0 on other
    /// architectures). A test reads it before and after a call to prove the
    /// `avx2` backend ran C code.
    package static var kernelCallCount: UInt64 {
        #if arch(x86_64)
        return csimd_avx2_call_count()
        #else
        return 0
        #endif
    }

    /// `y[j] = exp(x[j])` by CSimd's standalone AVX2 exp, pointer to pointer
    /// (the roofline loop of `simd-bench kernels`); false where it cannot run.
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

    /// `exp(x)` for `x <= 0` by CSimd's standalone AVX2 exp
    /// (`csimd_f32_expminus_u2__avx2_u32`), or `nil` where it cannot run.
    package static func exp(_ x: [Float]) -> [Float]? {
        #if arch(x86_64)
        guard AVX2Support.kernelsAvailable else { return nil }
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                guard let xb = xs.baseAddress, let yb = ys.baseAddress else { return }
                csimd_f32_expminus_u2__avx2_u32(xb, yb, x.count)
            }
        }
        return y
        #else
        return nil
        #endif
    }
}
