import Foundation
import SoftSortKit

/// The exp-and-store roofline `simd-bench kernels` times beside each kernel,
/// and the timing helpers of its paired and alternating runs.
extension KernelsCommand {
    /// The roofline loop's buffers: 4000 arguments in [-80, 0] and their exp.
    nonisolated(unsafe) static var rooflineInput = (0..<4000).map { -Float($0) * 0.02 }
    nonisolated(unsafe) static var rooflineOutput = [Float](repeating: 0, count: 4000)

    /// One timed stretch of the roofline loop: `sweeps` passes of exp-and-store
    /// over 4000 floats (in L1). Returns exp/s, or nil without AVX2.
    static func rooflineOnce(sweeps: Int) -> Double? {
        let count = rooflineInput.count
        var supported = true
        let start = DispatchTime.now().uptimeNanoseconds
        rooflineInput.withUnsafeBufferPointer { x in
            rooflineOutput.withUnsafeMutableBufferPointer { y in
                for _ in 0..<sweeps { supported = AVX2Diagnostics.exp(x.baseAddress!, y.baseAddress!, count: count) }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return supported ? Double(count * sweeps) / seconds : nil
    }

    /// exp-and-store of the minimal AVX2 loop, median of `repetitions` stretches
    /// of 10^8 exps, in exp/s.
    static func expRoofline(repetitions: Int) -> Double? {
        _ = rooflineOnce(sweeps: 2500)
        let samples = (0..<repetitions).compactMap { _ in rooflineOnce(sweeps: 25_000) }
        return samples.isEmpty ? nil : samples.sorted()[samples.count / 2]
    }

    /// Times `kernel` `repetitions` times after a warm-up. Each run
    /// alternates, batch row by batch row, the kernel on one row and the
    /// roofline loop on as many exps as the row has elements, so a shared
    /// machine's load hits both alike. Returns the median elements/s, the
    /// median of the per-run ratios to the roofline, and the median roofline.
    static func pairedRate(
        _ repetitions: Int, workload: KernelWorkload, roofline: Bool, _ body: (Range<Int>) -> Void
    ) -> (perSecond: Double, fraction: Double?, roofline: Double?) {
        body(0..<workload.batch)
        let perRow = workload.count * workload.count
        let sweeps = max(1, perRow / rooflineInput.count)
        var rates: [Double] = [], fractions: [Double] = [], bounds: [Double] = []
        for _ in 0..<repetitions {
            var kernelSeconds = 0.0, rooflineSeconds = 0.0
            for b in 0..<workload.batch {
                if roofline, let rate = rooflineOnce(sweeps: sweeps) {
                    rooflineSeconds += Double(sweeps * rooflineInput.count) / rate
                }
                let start = DispatchTime.now().uptimeNanoseconds
                body(b ..< b + 1)
                kernelSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }
            let rate = Double(workload.elements) / kernelSeconds
            rates.append(rate)
            if rooflineSeconds > 0 {
                let bound = Double(workload.batch * sweeps * rooflineInput.count) / rooflineSeconds
                fractions.append(rate / bound)
                bounds.append(bound)
            }
        }
        rates.sort()
        fractions.sort()
        bounds.sort()
        return (rates[rates.count / 2], fractions.isEmpty ? nil : fractions[fractions.count / 2],
                bounds.isEmpty ? nil : bounds[bounds.count / 2])
    }

    /// Alternates `a` and `b` `repetitions` times (after a warm-up of each) and
    /// returns their median times in seconds and the median of the per-pair
    /// ratios `time(a) / time(b)`.
    static func alternating(_ repetitions: Int, warmUp: Bool = true, _ a: () -> Void, _ b: () -> Void) -> (a: Double, b: Double, ratio: Double) {
        func time(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        if warmUp {
            a()
            b()
        }
        var ta: [Double] = [], tb: [Double] = [], ratios: [Double] = []
        for _ in 0..<repetitions {
            let x = time(a), y = time(b)
            ta.append(x)
            tb.append(y)
            ratios.append(x / y)
        }
        let median = { (v: [Double]) in v.sorted()[v.count / 2] }
        return (median(ta), median(tb), median(ratios))
    }

    /// The largest ULP error of the AVX2 exp on 2^22 evenly spaced points of
    /// [-87.3, 0] and the 2^16 floats next to 0.
    static func expMaxULP() -> Double? {
        var xs = (0...(1 << 22)).map { Float(-87.3 * Double($0) / Double(1 << 22)) }
        var x: Float = -0.0
        for _ in 0..<(1 << 16) { xs.append(x); x = x.nextDown }
        guard let ys = AVX2Diagnostics.exp(xs) else { return nil }
        var worst = 0.0
        for (x, y) in zip(xs, ys) {
            let want = Foundation.exp(Double(x))
            let ulp = Double(sign: .plus, exponent: max(Int(want.exponent) - 23, -149), significand: 1)
            worst = max(worst, abs(Double(y) - want) / ulp)
        }
        return worst
    }
}
