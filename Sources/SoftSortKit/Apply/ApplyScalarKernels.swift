/// The `scalar` apply kernels: libm `exp`, one element at a time.
enum ApplyScalarKernels {

    @Sendable
    static func forward<T: VectorScalar>(_ job: ApplyForwardJob<T>, rows: Range<Int>) {
        let n = job.count, d = job.dimension
        for i in rows {
            var z: T = 0
            let y = job.output + i * d
            y.initialize(repeating: 0, count: d)
            for j in 0..<n {
                let e = T.libmExp(-Distance.value(job.centres[i] - job.scores[j], job.power) / job.temperature)
                z += e
                for k in 0..<d { y[k] += e * job.values[k * n + j] }
            }
            job.normalizers[i] = z
            for k in 0..<d { y[k] /= z }
        }
    }

    @Sendable
    static func backward<T: VectorScalar>(_ job: ApplyBackwardJob<T>, rows: Range<Int>) {
        let n = job.count, d = job.dimension
        for i in rows {
            let g = job.outputGradient + i * d
            var centre: T = 0
            for j in 0..<n {
                let x = job.centres[i] - job.scores[j]
                let p = T.libmExp(-Distance.value(x, job.power) / job.temperature) / job.normalizers[i]
                var gv: T = 0
                for k in 0..<d { gv += g[k] * job.values[k * n + j] }
                let t = p * (gv - job.outputDots[i]) * Distance.derivative(x, job.power) / job.temperature
                job.scoreGradient[j] += t
                centre -= t
                for k in 0..<d { job.valueGradient[k * n + j] += p * g[k] }
            }
            job.centreGradient[i] = centre
        }
    }

}
