#if arch(x86_64)
import CSimd
#endif

/// The code that runs the fast Gauss transform's per-point loops: the
/// portable Swift `SIMD4<Double>` loops (`GaussLanes`) or CSimd's AVX2+FMA
/// `f64_gauss` kernels, the same six loops in 4-wide `Double` vectors with
/// FMA. Either gives the same bits for every thread count; the two agree to
/// rounding (`GaussKernelTests`).
enum GaussKernels: Sendable {
    case simd
    case avx2

    /// `avx2` where `Backend.preferred()` is `avx2` (this CPU runs AVX2 and
    /// FMA and `SOFTSORT_BACKEND` names no other backend), else `simd`. Read once.
    static let preferred: GaussKernels = (try? Backend.preferred()) == .avx2 ? .avx2 : .simd

    /// The kernels that run for `backend` (`avx2` only where it is available).
    init(_ backend: Backend) { self = backend == .avx2 && backend.isAvailable ? .avx2 : .simd }

    /// The backend whose code these are.
    var backend: Backend { self == .avx2 ? .avx2 : .simd }

    /// `GaussLanes.moments`.
    @inline(__always)
    func moments(
        points v: UnsafePointer<Double>, weights: UnsafePointer<Double>?, range: Range<Int>, centre c: Double,
        order p: Int, reciprocal: UnsafePointer<Double>, lanes: UnsafeMutablePointer<Double>,
        into a: UnsafeMutablePointer<Double>
    ) {
        #if arch(x86_64)
        if self == .avx2 {
            csimd_f64_gauss_moments__avx2_u8(
                v + range.lowerBound, weights.map { $0 + range.lowerBound }, range.count, c, p, reciprocal, lanes, a)
            return
        }
        #endif
        GaussLanes.moments(
            points: v, weights: weights, range: range, centre: c, order: p, reciprocal: reciprocal, lanes: lanes, into: a)
    }

    /// `GaussLanes.evaluate`.
    @inline(__always)
    func evaluate(
        _ local: UnsafePointer<Double>, order p: Int, points v: UnsafePointer<Double>, range: Range<Int>,
        centre: Double, sums: UnsafeMutablePointer<Double>?, moments: UnsafeMutablePointer<Double>
    ) {
        #if arch(x86_64)
        if self == .avx2 {
            let first = range.lowerBound
            csimd_f64_gauss_evaluate__avx2_u8(
                local, p, v + first, range.count, centre, sums.map { $0 + first }, moments + first)
            return
        }
        #endif
        GaussLanes.evaluate(local, order: p, points: v, range: range, centre: centre, sums: sums, moments: moments)
    }

    /// `GaussLanes.translate`.
    @inline(__always)
    func translate(
        _ local: UnsafeMutablePointer<Double>, derivatives g: UnsafePointer<Double>, moments a: UnsafePointer<Double>,
        order p: Int
    ) {
        #if arch(x86_64)
        if self == .avx2 {
            csimd_f64_gauss_translate__avx2_u4(local, g, a, p)
            return
        }
        #endif
        GaussLanes.translate(local, derivatives: g, moments: a, order: p)
    }

    /// `GaussLanes.sourcesToLocal` (`lanes`: `4 * order` words of scratch for the C kernel).
    @inline(__always)
    func sourcesToLocal(
        points v: UnsafePointer<Double>, weights: UnsafePointer<Double>?, range: Range<Int>, centre c: Double,
        order p: Int, derivatives h: UnsafeMutablePointer<Double>, lanes: UnsafeMutablePointer<Double>,
        into local: UnsafeMutablePointer<Double>
    ) {
        guard !range.isEmpty else { return }
        #if arch(x86_64)
        if self == .avx2 {
            csimd_f64_gauss_sources_to_local__avx2_u4(
                v + range.lowerBound, weights.map { $0 + range.lowerBound }, range.count, c, p, lanes, local)
            return
        }
        #endif
        GaussLanes.sourcesToLocal(
            points: v, weights: weights, range: range, centre: c, order: p, derivatives: h, into: local)
    }

    /// `GaussLanes.expansion`.
    @inline(__always)
    func expansion(
        _ am: UnsafePointer<Double>, order p: Int, centre c: Double, at v: UnsafePointer<Double>, range: Range<Int>,
        derivatives h: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>?,
        moments: UnsafeMutablePointer<Double>
    ) {
        guard !range.isEmpty else { return }
        #if arch(x86_64)
        if self == .avx2 {
            let first = range.lowerBound
            csimd_f64_gauss_expansion_at__avx2_u4(
                v + first, range.count, c, am, p, sums.map { $0 + first }, moments + first)
            return
        }
        #endif
        GaussLanes.expansion(
            am, order: p, centre: c, at: v, range: range, derivatives: h, sums: sums, moments: moments)
    }

    /// `GaussLanes.direct`.
    @inline(__always)
    func direct(
        target y: Double, points v: UnsafePointer<Double>, weights: UnsafePointer<Double>?, range: Range<Int>,
        radiusSquared r2: Double
    ) -> (value: Double, moment: Double) {
        #if arch(x86_64)
        if self == .avx2 {
            var value = 0.0, moment = 0.0
            let first = range.lowerBound
            csimd_f64_gauss_direct__avx2_u8(
                y, v + first, weights.map { $0 + first }, range.count, r2, &value, &moment)
            return (value, moment)
        }
        #endif
        return GaussLanes.direct(target: y, points: v, weights: weights, range: range, radiusSquared: r2)
    }
}
