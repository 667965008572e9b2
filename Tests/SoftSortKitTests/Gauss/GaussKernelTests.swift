import Foundation
import Testing
@testable import SoftSortKit

/// The fast Gauss transform's per-point loops on every kernel family
/// (`GaussKernels`: the Swift `GaussLanes` and, where this CPU runs them,
/// CSimd's AVX2+FMA `f64_gauss` kernels): each loop against a plain `Double`
/// reference written differently (powers and factorials, `m`-outer sums,
/// libm's `exp`) at counts around the 4- and 8-point steps, then whole
/// transforms against the direct `O(n^2)` sums within the bound, the AVX2
/// kernels against the Swift ones to rounding, at extreme temperatures and
/// spreads.
@Suite("Gauss transform kernels")
struct GaussKernelTests {
    /// The kernel families that run here (`avx2` only with AVX2+FMA).
    static let available: [GaussKernels] = Backend.avx2.isAvailable ? [.simd, .avx2] : [.simd]
    /// Counts around the 4-point vectors and 8-point steps.
    static let counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 15, 16, 17, 33]
    static let orders = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 29, 40]

    static func factorial(_ m: Int) -> Double { (0..<m).reduce(1.0) { $0 * Double($1 + 1) } }

    /// Runs `body` on copies of `values` that start one `Double` past an
    /// allocation's start (misaligned for 32-byte vectors), with a `.nan`
    /// sentinel after the last element.
    static func misaligned<R>(_ values: [Double], _ body: (UnsafeMutablePointer<Double>) -> R) -> (R, sentinel: Double) {
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: values.count + 2)
        defer { buffer.deallocate() }
        buffer[0] = 0
        for (k, x) in values.enumerated() { buffer[k + 1] = x }
        buffer[values.count + 1] = .nan
        let result = body(buffer + 1)
        return (result, buffer[values.count + 1])
    }

    @Test("the avx2 kernels are the ones asked for", .enabled(if: Backend.avx2.isAvailable, "no AVX2+FMA here"))
    func avx2IsChosen() throws {
        #expect(GaussKernels(.avx2) == .avx2)
        #expect(GaussKernels(.simd) == .simd)
        #expect(GaussKernels(.scalar) == .simd)
        #expect(GaussKernels.preferred == (try Backend.preferred() == .avx2 ? .avx2 : .simd))
    }

    @Test("moments against powers over factorials", arguments: available)
    func moments(kernels: GaussKernels) {
        var g = TestRandom(seed: 41)
        let reciprocal = (0...(GaussPlan.maximumOrder + 1)).map { $0 == 0 ? 0 : 1 / Double($0) }
        var lanes = [Double](repeating: .nan, count: 4 * (GaussPlan.maximumOrder + 2))
        for n in Self.counts {
            for p in Self.orders {
                for weighted in [false, true] {
                    let c = g.uniform(-3, 3), v = (0..<n).map { _ in c + g.uniform(-0.25, 0.25) }
                    let q = (0..<n).map { _ in weighted ? g.uniform(-1, 1) : 1 }
                    var a = [Double](repeating: .nan, count: p)
                    _ = Self.misaligned(v) { points in
                        Self.misaligned(q) { weights in
                            kernels.moments(
                                points: points, weights: weighted ? weights : nil, range: 0..<n, centre: c, order: p,
                                reciprocal: reciprocal, lanes: &lanes, into: &a)
                        }
                    }
                    for m in 0..<p {
                        let terms = (0..<n).map { q[$0] * pow(c - v[$0], Double(m)) / Self.factorial(m) }
                        let expected = terms.reduce(0, +), scale = terms.reduce(0) { $0 + abs($1) }
                        #expect(abs(a[m] - expected) <= 1e-14 * scale + 1e-300,
                                "\(kernels) n = \(n) p = \(p) m = \(m): \(a[m]) vs \(expected)")
                    }
                }
            }
        }
    }

    @Test("evaluation against the polynomial and its derivative term by term", arguments: available)
    func evaluate(kernels: GaussKernels) {
        var g = TestRandom(seed: 42)
        for n in Self.counts {
            for p in Self.orders {
                let centre = g.uniform(-3, 3), v = (0..<n).map { _ in centre + g.uniform(-0.25, 0.25) }
                let local = (0..<p).map { _ in g.uniform(-1, 1) }
                for withSums in [true, false] {
                    let (got, sumsSentinel) = Self.misaligned([Double](repeating: .nan, count: n)) { sums in
                        let (moments, momentsSentinel) = Self.misaligned([Double](repeating: .nan, count: n)) { moments in
                            kernels.evaluate(
                                local, order: p, points: v, range: 0..<n, centre: centre, sums: withSums ? sums : nil,
                                moments: moments)
                            return Array(UnsafeBufferPointer(start: moments, count: n))
                        }
                        #expect(momentsSentinel.isNaN, "moments written past the range: \(kernels) n = \(n) p = \(p)")
                        return (Array(UnsafeBufferPointer(start: sums, count: n)), moments)
                    }
                    #expect(sumsSentinel.isNaN, "sums written past the range: \(kernels) n = \(n) p = \(p)")
                    for i in 0..<n {
                        let a = v[i] - centre
                        var values: [Double] = [], slopes: [Double] = []
                        for m in 0..<p {
                            let power = Double(m)
                            values.append(local[m] * pow(a, power))
                            if m > 0 { slopes.append(-0.5 * power * local[m] * pow(a, power - 1)) }
                        }
                        let value = values.reduce(0, +), slope = slopes.reduce(0, +)
                        let valueScale = values.reduce(0) { $0 + abs($1) }, slopeScale = slopes.reduce(0) { $0 + abs($1) }
                        if withSums {
                            #expect(abs(got.0[i] - value) <= 1e-14 * valueScale, "\(kernels) n = \(n) p = \(p) i = \(i)")
                        } else {
                            #expect(got.0[i].isNaN, "sums written although nil: \(kernels) n = \(n) p = \(p)")
                        }
                        #expect(abs(got.1[i] - slope) <= 1e-14 * slopeScale + 1e-300, "\(kernels) n = \(n) p = \(p) i = \(i)")
                    }
                }
            }
        }
    }

    @Test("translation against the m-outer double sum", arguments: available)
    func translate(kernels: GaussKernels) {
        var g = TestRandom(seed: 43)
        for p in 1...GaussPlan.maximumOrder {
            // The derivatives zero-padded as `GaussCells.translation` gives them;
            // `local` NaN past the order (the C kernel adds zeros there).
            let padded = (p + 3) & ~3
            let derivatives = (0..<(2 * padded)).map { $0 < p ? g.uniform(-10, 10) : 0 }
            let a = (0..<p).map { _ in g.uniform(-1, 1) }
            let start = (0..<padded).map { $0 < p ? g.uniform(-1, 1) : .nan }
            let (local, sentinel) = Self.misaligned(start) { local in
                kernels.translate(local, derivatives: derivatives, moments: a, order: p)
                return Array(UnsafeBufferPointer(start: local, count: padded))
            }
            #expect(sentinel.isNaN && local[p...].allSatisfy(\.isNaN), "local changed past the order: \(kernels) p = \(p)")
            for m in 0..<p {
                var expected = start[m], scale = abs(start[m])
                for n in 0..<(p - m) {
                    expected += derivatives[m + n] * a[n]
                    scale += abs(derivatives[m + n] * a[n])
                }
                #expect(abs(local[m] - expected) <= 1e-15 * scale, "\(kernels) p = \(p) m = \(m)")
            }
        }
    }

    /// `g^(k)(x) = (-1)^k H_k(x) exp(-x^2)`, `k < count`, with the physicists'
    /// Hermite polynomials `H_(k+1) = 2 x H_k - 2 k H_(k-1)`.
    static func kernelDerivatives(_ x: Double, count: Int) -> [Double] {
        var hermite = [1.0, 2 * x]
        while hermite.count < count {
            let k = hermite.count - 1
            hermite.append(2 * x * hermite[k] - 2 * Double(k) * hermite[k - 1])
        }
        return (0..<count).map { (($0 % 2 == 0) ? 1.0 : -1.0) * hermite[$0] * exp(-x * x) }
    }

    @Test("sources added to a local expansion against Hermite polynomials", arguments: available)
    func sourcesToLocal(kernels: GaussKernels) {
        var g = TestRandom(seed: 45)
        var h = [Double](repeating: .nan, count: GaussCells.derivativeWords)
        var lanes = [Double](repeating: .nan, count: 4 * (GaussPlan.maximumOrder + 2))
        for n in Self.counts {
            for p in Self.orders {
                for weighted in [false, true] {
                    let c = g.uniform(-3, 3), v = (0..<n).map { _ in c + g.uniform(-6, 6) }
                    let q = (0..<n).map { _ in weighted ? g.uniform(-1, 1) : 1 }
                    let start = (0..<p).map { _ in g.uniform(-1, 1) }
                    let (local, sentinel) = Self.misaligned(start) { local in
                        _ = Self.misaligned(v) { points in
                            Self.misaligned(q) { weights in
                                kernels.sourcesToLocal(
                                    points: points, weights: weighted ? weights : nil, range: 0..<n, centre: c, order: p,
                                    derivatives: &h, lanes: &lanes, into: local)
                            }
                        }
                        return Array(UnsafeBufferPointer(start: local, count: p))
                    }
                    #expect(sentinel.isNaN, "local written past the order: \(kernels) n = \(n) p = \(p)")
                    var expected = start, scale = start.map { abs($0) }
                    for j in 0..<n {
                        let d = Self.kernelDerivatives(c - v[j], count: p)
                        for m in 0..<p {
                            expected[m] += q[j] * d[m]
                            scale[m] += abs(d[m])
                        }
                    }
                    for m in 0..<p {
                        #expect(abs(local[m] - expected[m]) <= 1e-12 * scale[m] + 1e-15,
                                "\(kernels) n = \(n) p = \(p) m = \(m): \(local[m]) vs \(expected[m])")
                    }
                }
            }
        }
    }

    @Test("an expansion evaluated at single points against Hermite polynomials", arguments: available)
    func expansionAtPoints(kernels: GaussKernels) {
        var g = TestRandom(seed: 46)
        var h = [Double](repeating: .nan, count: GaussCells.derivativeWords)
        for n in Self.counts {
            for p in Self.orders {
                let c = g.uniform(-3, 3), v = (0..<n).map { _ in c + g.uniform(-6, 6) }
                let expansion = (0..<p).map { m in g.uniform(-1, 1) / Self.factorial(m) }
                let sums0 = (0..<n).map { _ in g.uniform(-1, 1) }, moments0 = (0..<n).map { _ in g.uniform(-1, 1) }
                for withSums in [true, false] {
                    let ((sums, moments), sumsSentinel) = Self.misaligned(sums0) { sums in
                        let (moments, momentsSentinel) = Self.misaligned(moments0) { moments in
                            kernels.expansion(
                                expansion, order: p, centre: c, at: v, range: 0..<n, derivatives: &h,
                                sums: withSums ? sums : nil, moments: moments)
                            return Array(UnsafeBufferPointer(start: moments, count: n))
                        }
                        #expect(momentsSentinel.isNaN, "moments written past the range: \(kernels) n = \(n) p = \(p)")
                        return (Array(UnsafeBufferPointer(start: sums, count: n)), moments)
                    }
                    #expect(sumsSentinel.isNaN, "sums written past the range: \(kernels) n = \(n) p = \(p)")
                    for i in 0..<n {
                        let d = Self.kernelDerivatives(v[i] - c, count: p + 1)
                        var value = sums0[i], slope = 0.0, scale = 1.0
                        for k in 0..<p {
                            value += d[k] * expansion[k]
                            slope += d[k + 1] * expansion[k]
                            scale += abs(d[k] * expansion[k]) + abs(d[k + 1] * expansion[k])
                        }
                        let label = "\(kernels) n = \(n) p = \(p) i = \(i)"
                        #expect(abs(sums[i] - (withSums ? value : sums0[i])) <= 1e-12 * scale, "\(label)")
                        #expect(abs(moments[i] - (moments0[i] - 0.5 * slope)) <= 1e-12 * scale, "\(label)")
                    }
                }
            }
        }
    }

    @Test("direct sums against libm's exp, the radius honoured", arguments: available)
    func direct(kernels: GaussKernels) {
        var g = TestRandom(seed: 44)
        for n in Self.counts {
            for (spread, radius) in [(1.0, 6.2), (20.0, 4.0), (1e-9, 1.0), (1e6, 5.0)] {
                for weighted in [false, true] {
                    let y = g.uniform(-spread, spread)
                    let v = (0..<n).map { _ in y + g.uniform(-spread, spread) }
                    let q = (0..<n).map { _ in weighted ? g.uniform(-1, 1) : 1 }
                    let r2 = radius * radius
                    let (got, _) = Self.misaligned(v) { points in
                        Self.misaligned(q) { weights in
                            kernels.direct(target: y, points: points, weights: weighted ? weights : nil, range: 0..<n, radiusSquared: r2)
                        }.0
                    }
                    var value = 0.0, moment = 0.0, scale = 0.0
                    for j in 0..<n where (y - v[j]) * (y - v[j]) <= r2 {
                        let d = y - v[j], e = q[j] * exp(-d * d)
                        value += e
                        moment += e * d
                        scale += abs(e) * max(1, abs(d))
                    }
                    let label = "\(kernels) n = \(n) spread = \(spread) weighted = \(weighted)"
                    #expect(abs(got.value - value) <= 1e-15 * Double(n) * scale, "\(label): \(got.value) vs \(value)")
                    #expect(abs(got.moment - moment) <= 1e-15 * Double(n) * scale, "\(label): \(got.moment) vs \(moment)")
                }
            }
        }
    }

    // MARK: Whole transforms

    /// `G0` and `G1` of `v` with weights `q` by `kernels`, the plan for `accuracy`.
    static func transform(_ v: [Double], _ q: [Double]?, accuracy: Double, kernels: GaussKernels)
        -> (g0: [Double], g1: [Double], plan: GaussPlan)
    {
        let n = v.count
        let plan = GaussPlan.make(accuracy: accuracy, extent: v.last! - v.first!, count: n)
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 8 * GaussCells.scratchWords(count: n), alignment: 8)
        defer { scratch.deallocate() }
        var g0 = [Double](repeating: .nan, count: n), g1 = [Double](repeating: .nan, count: n)
        v.withUnsafeBufferPointer { points in
            let cells = GaussCells(points: points.baseAddress!, count: n, plan: plan, scratch: scratch)
            let transform = GaussTransform(plan: plan, points: points.baseAddress!, cells: cells, kernels: kernels)
            if let q {
                q.withUnsafeBufferPointer { transform.run(weights: $0.baseAddress!, sums: &g0, moments: &g1) }
            } else {
                transform.run(weights: nil, sums: &g0, moments: &g1)
            }
        }
        return (g0, g1, plan)
    }

    /// Sorted points in bandwidths for scores of `spread` at temperature
    /// `tau`: uniform, or in three tight clusters far apart (expanded cells
    /// with huge gaps between them).
    static func points(count n: Int, spread: Double, temperature tau: Double, clustered: Bool, seed: UInt64) -> [Double] {
        var g = TestRandom(seed: seed)
        let h = tau.squareRoot()
        let x = (0..<n).map { k -> Double in
            clustered ? Double(k % 3) * spread + g.uniform(0, 4 * h) : g.uniform(0, spread)
        }.sorted()
        return x.map { ($0 - x[0]) / h }
    }

    @Test("transforms within the bound at extreme temperatures and spreads, avx2 against simd to rounding")
    func transformsAtExtremes() {
        for tau in [1e-5, 1e-2, 1, 1e5] {
            for spread in [1e-3, 1, 1e3, 1e6] {
                for clustered in [false, true] {
                    for n in [1, 2, 3, 5, 7, 9, 17, 64, 301] {
                        let v = Self.points(count: n, spread: spread, temperature: tau, clustered: clustered, seed: UInt64(n))
                        var g = TestRandom(seed: UInt64(n) &+ 99)
                        let q = (0..<n).map { _ in g.uniform(-1, 1) }
                        let mass = q.reduce(0) { $0 + abs($1) }
                        var results: [(g0: [Double], g1: [Double])] = []
                        for kernels in Self.available {
                            let got = Self.transform(v, q, accuracy: GaussEngine.defaultAccuracy, kernels: kernels)
                            let bound = got.plan.bound
                            let label = "\(kernels) n = \(n) tau = \(tau) spread = \(spread) clustered = \(clustered)"
                            let direct = directGaussSums(points: v, weights: q)
                            for i in 0..<n {
                                let slack = 1e-14 * mass
                                #expect(abs(got.g0[i] - direct.g0[i]) <= bound.value * mass + slack, "G0 \(label)")
                                #expect(abs(got.g1[i] - direct.g1[i]) <= bound.moment * mass + slack, "G1 \(label)")
                            }
                            results.append((got.g0, got.g1))
                        }
                        // The same plan and cells: the two differ by rounding only.
                        if results.count == 2 {
                            let label = "avx2 vs simd n = \(n) tau = \(tau) spread = \(spread) clustered = \(clustered)"
                            #expect(maxAbsDifference(results[0].g0, results[1].g0) <= 1e-13 * mass, "G0 \(label)")
                            #expect(maxAbsDifference(results[0].g1, results[1].g1) <= 1e-13 * mass, "G1 \(label)")
                        }
                    }
                }
            }
        }
    }

    @Test("the avx2 transform rounds differently from the simd one (it really ran)",
          .enabled(if: Backend.avx2.isAvailable, "no AVX2+FMA here"))
    func avx2ReallyRan() {
        let v = Self.points(count: 1500, spread: 20, temperature: 0.1, clustered: false, seed: 5)
        let simd = Self.transform(v, nil, accuracy: GaussEngine.defaultAccuracy, kernels: .simd)
        let avx2 = Self.transform(v, nil, accuracy: GaussEngine.defaultAccuracy, kernels: .avx2)
        #expect(simd.g0.map(\.bitPattern) != avx2.g0.map(\.bitPattern))
        #expect(maxAbsDifference(simd.g0, avx2.g0) <= 1e-12 * Double(v.count))
    }
}
