import Foundation
import SoftSortKit

/// `simd-bench scan` sections `sort` and `gauss`: the radix argsort against
/// the introsort and `[Float].sort()`, and the `p = 2` gauss path.
extension ScanCommand {
    /// Plain sort of a copy.
    static func plainSortMilliseconds(_ scores: [Float], repetitions: Int) -> Double {
        Timing.medianMilliseconds(repetitions) {
            var copy = scores
            copy.sort()
            precondition(copy.count == scores.count)
        }
    }

    /// B = 1 rows of U(0, 1) Float: introsort argsort, radix argsort (scratch
    /// allocated per call, as the library's one-call `argsort` does, and
    /// reused across calls, as a workspace would, then that on 2 threads),
    /// [Float].sort().
    func scanSorts(_ generator: inout SplitMix, report: (Result) -> Void) {
        print("argsort, one row, U(0, 1) Float, 1 thread: case ms = the argsort (a fresh [Int] result each call), msSort = [Float].sort() of a copy")
        for n in [1_000, 10_000, 100_000, 1_000_000, 10_000_000] {
            let scores = (0..<n).map { _ in Float(generator.nextUnit()) }
            let reps = n >= 10_000_000 ? max(1, repetitions / 2) : repetitions
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: GaussBenchmarkHooks.argsortScratchBytes(count: n), alignment: 8)
            defer { scratch.deallocate() }
            let intro = GaussBenchmarkHooks.argsort(scores, radix: false)
            precondition(intro == GaussBenchmarkHooks.argsort(scores, radix: true), "radix and introsort differ")
            precondition(intro == GaussBenchmarkHooks.argsort(scores, radix: true, scratch: scratch), "radix and introsort differ")
            precondition(intro == GaussBenchmarkHooks.argsort(scores, radix: true, scratch: scratch, threads: 2), "radix on 2 threads differs")
            let msSort = Self.plainSortMilliseconds(scores, repetitions: reps)
            let msIntro = Timing.medianMilliseconds(reps) { precondition(GaussBenchmarkHooks.argsort(scores, radix: false).count == n) }
            let msRadix = Timing.medianMilliseconds(reps) { precondition(GaussBenchmarkHooks.argsort(scores, radix: true).count == n) }
            let msReused = Timing.medianMilliseconds(reps) {
                precondition(GaussBenchmarkHooks.argsort(scores, radix: true, scratch: scratch).count == n)
            }
            let msTwoThreads = Timing.medianMilliseconds(reps) {
                precondition(GaussBenchmarkHooks.argsort(scores, radix: true, scratch: scratch, threads: 2).count == n)
            }
            report(Result(case: "argsort-introsort", n: n, batch: 1, ms: msIntro, msSort: msSort))
            report(Result(case: "argsort-radix", n: n, batch: 1, ms: msRadix, msSort: msSort))
            report(Result(case: "argsort-radix-reused-scratch", n: n, batch: 1, ms: msReused, msSort: msSort))
            report(Result(case: "argsort-radix-reused-2thr", n: n, batch: 1, ms: msTwoThreads, msSort: msSort))
        }
    }

    /// The direct `Double` cross-entropy terms of the rows `rows` of one row of `scores`:
    /// `log Z_i` for those ranks (O(n) each), for the accuracy column.
    static func directLogNormalizers(_ scores: [Double], ranks: [Int], temperature tau: Double) -> [Double] {
        let sorted = scores.sorted(by: >)
        return ranks.map { i in
            let c = sorted[i]
            return log(scores.reduce(0.0) { $0 + exp(-(c - $1) * (c - $1) / tau) })
        }
    }

    /// p = 2 on the gauss path: B = 1 loss forward + backward at n = 1e4 ... 1e6
    /// next to one plain sort, with the accuracy reached; and the B = 20,
    /// n = 4000 training step.
    func scanGauss(_ generator: inout SplitMix, report: (Result) -> Void) throws {
        print("gauss p = 2 cross-entropy fwd+bwd, Float, 1 thread (then 2), targets identity; accuracy = max relative error")
        print("  (n = 1e4: loss and dL/ds vs the dense Double loss; larger n: log Z_i of 64 sampled ranks vs direct Double sums)")
        for tau in [1e-3, 1e-7] {
            for n in rowLengths {
                let scores = (0..<n).map { _ in Float(generator.nextUnit()) }
                let targets = Array(0..<n)
                let ms = try Self.gaussLossMilliseconds(
                    scores, targets: targets, temperature: tau, threads: 1, repetitions: repetitions)
                // The same on 2 threads (the one row's radix sort splits over them).
                let msTwoThreads = try Self.gaussLossMilliseconds(
                    scores, targets: targets, temperature: tau, threads: 2, repetitions: repetitions)
                let msSort = Self.plainSortMilliseconds(scores, repetitions: repetitions)
                let accuracy = try Self.gaussAccuracy(scores, temperature: tau)
                let extent = Double(scores.max()! - scores.min()!) / tau.squareRoot()
                let plan = GaussBenchmarkHooks.plan(accuracy: nil, extent: extent, count: n)
                print(String(format: "  tau %.0e n %8d: order %d, width %.2f h, radius %.2f h, bound %.1e (moments %.1e); accuracy %@",
                             tau, n, plan.order, plan.width, plan.radius, plan.bound, plan.momentBound, accuracy))
                report(Result(case: "gauss-p2-tau\(String(format: "%.0e", tau))-fwd+bwd", n: n, batch: 1, ms: ms, msSort: msSort))
                report(Result(case: "gauss-p2-tau\(String(format: "%.0e", tau))-2thr", n: n, batch: 1, ms: msTwoThreads, msSort: msSort))
            }
        }
        let batch = 20, n = 4000, tau = 0.1
        let scores = (0..<batch * n).map { _ in Float(generator.nextUnit()) }
        let targets = (0..<batch * n).map { $0 % n }
        for threads in [1, 2] {
            let op = SoftSort(temperature: tau, power: 2, threads: threads)
            let workspace = Workspace<Float>()
            let ms = try Timing.medianMilliseconds(repetitions) {
                let r = try op.forward(scores: scores, batch: batch, count: n, path: .gauss, workspace: workspace)
                    .crossEntropy(targets: targets)
                precondition(r.value.isFinite)
            }
            let msFused = try Timing.medianMilliseconds(max(1, repetitions / 2)) {
                let r = try op.forward(scores: scores, batch: batch, count: n, path: .fused, workspace: workspace)
                    .crossEntropy(targets: targets)
                precondition(r.value.isFinite)
            }
            // msDense column = the fused path's step here.
            report(Result(case: "gauss-p2-train-step-\(threads)t", n: n, batch: batch, ms: ms, msDense: msFused))
        }
        // Accuracy of the step against the fused path in Double.
        let s64 = scores.map(Double.init)
        let op = SoftSort(temperature: tau, power: 2)
        let fused64 = try op.forward(scores: s64, batch: batch, count: n, path: .fused).crossEntropy(targets: targets)
        let gauss32 = try op.forward(scores: scores, batch: batch, count: n, path: .gauss).crossEntropy(targets: targets)
        let gauss64 = try op.forward(scores: s64, batch: batch, count: n, path: .gauss).crossEntropy(targets: targets)
        let size = fused64.gradient.reduce(0) { max($0, abs($1)) }
        func error<T: BinaryFloatingPoint>(_ g: [T]) -> Double { zip(g, fused64.gradient).reduce(0) { max($0, abs(Double($1.0) - $1.1)) } / size }
        print(String(format: "  B = 20 n = 4000 tau 0.1 vs fused Double: loss Float %.1e Double %.1e, dL/ds Float %.1e Double %.1e",
                     abs(Double(gauss32.value) - fused64.value) / abs(fused64.value),
                     abs(gauss64.value - fused64.value) / abs(fused64.value), error(gauss32.gradient), error(gauss64.gradient)))
    }

    /// The accuracy the exact p = 1 cross-entropy (Float) reaches on one row, as
    /// text: against the dense Double loss and dL/ds at n <= 1e4, else against
    /// the Double exact path.
    static func exactAccuracy(_ scores: [Float], temperature tau: Double) throws -> String {
        let n = scores.count, s = scores.map(Double.init), targets = Array(0..<n)
        let op = SoftSort(temperature: tau, power: 1, threads: 1)
        let got = try op.forward(scores: scores, batch: 1, count: n, path: .exact).crossEntropy(targets: targets)
        let double = try op.forward(scores: s, batch: 1, count: n, path: .exact).crossEntropy(targets: targets)
        var loss = double.value, gradient = double.gradient, against = "Double exact path"
        if n <= 10_000 {
            // Dense Double: every logit.
            let perm = s.indices.sorted { s[$0] != s[$1] ? s[$0] > s[$1] : $0 < $1 }
            loss = 0
            gradient = [Double](repeating: 0, count: n)
            var p = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let c = s[perm[i]]
                var z = 0.0
                for j in 0..<n { p[j] = exp(-abs(c - s[j]) / tau); z += p[j] }
                loss += log(z) + abs(c - s[i]) / tau
                for j in 0..<n {
                    let sign: Double = c > s[j] ? 1 : (c < s[j] ? -1 : 0)
                    let d = (p[j] / z - (j == i ? 1 : 0)) * sign / tau
                    gradient[j] += d
                    gradient[perm[i]] -= d
                }
            }
            against = "dense Double"
        }
        let size = gradient.reduce(0) { max($0, abs($1)) }
        func error<T: BinaryFloatingPoint>(_ g: [T]) -> Double {
            zip(g, gradient).reduce(0) { max($0, abs(Double($1.0) - $1.1)) } / size
        }
        return String(format: "loss %.1e, dL/ds %.1e vs %@", abs(Double(got.value) - loss) / abs(loss), error(got.gradient), against)
    }

    /// The median time of the B = 1 gauss cross-entropy (forward on path
    /// `.gauss`, `crossEntropy(targets:)`) on `threads` threads, with one
    /// workspace for every repetition, as a training loop passes (released
    /// before the accuracy check runs its own calls).
    static func gaussLossMilliseconds(
        _ scores: [Float], targets: [Int], temperature tau: Double, threads: Int, repetitions: Int
    ) throws -> Double {
        let op = SoftSort(temperature: tau, power: 2, threads: threads), workspace = Workspace<Float>()
        return try Timing.medianMilliseconds(repetitions) {
            let r = try op.forward(scores: scores, batch: 1, count: scores.count, path: .gauss, workspace: workspace)
                .crossEntropy(targets: targets)
            precondition(r.value.isFinite)
        }
    }

    /// The gauss cross-entropy of one row to the identity, 1 thread; the loss in Double.
    static func gaussLoss<T: SoftSortScalar>(_ scores: [T], temperature tau: Double) throws -> (loss: Double, gradient: [T]) {
        let n = scores.count
        let r = try SoftSort(temperature: tau, power: 2, threads: 1).forward(scores: scores, batch: 1, count: n, path: .gauss)
            .crossEntropy(targets: Array(0..<n))
        return (Double(r.value), r.gradient)
    }

    /// The accuracy the gauss path reaches on one row, as text. The Float
    /// loss is rounded to Float once (`Loss.value`), so its error is at least
    /// about 6e-8.
    static func gaussAccuracy(_ scores: [Float], temperature tau: Double) throws -> String {
        let n = scores.count, s = scores.map(Double.init)
        let got = try gaussLoss(scores, temperature: tau)
        let double = try gaussLoss(s, temperature: tau)
        if n <= 10_000 {
            // Dense Double: every logit.
            let perm = s.indices.sorted { s[$0] != s[$1] ? s[$0] > s[$1] : $0 < $1 }
            var loss = 0.0, gradient = [Double](repeating: 0, count: n)
            var p = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let c = s[perm[i]]
                var z = 0.0
                for j in 0..<n { p[j] = exp(-(c - s[j]) * (c - s[j]) / tau); z += p[j] }
                loss += log(z) + (c - s[i]) * (c - s[i]) / tau
                for j in 0..<n {
                    let d = (p[j] / z - (j == i ? 1 : 0)) * 2 * (c - s[j]) / tau
                    gradient[j] += d
                    gradient[perm[i]] -= d
                }
            }
            let size = gradient.reduce(0) { max($0, abs($1)) }
            func error<T: BinaryFloatingPoint>(_ g: [T]) -> Double { zip(g, gradient).reduce(0) { max($0, abs(Double($1.0) - $1.1)) } / size }
            return String(format: "loss %.1e (Double path %.1e), dL/ds %.1e (Double path %.1e)",
                          abs(got.loss - loss) / abs(loss), abs(double.loss - loss) / abs(loss), error(got.gradient), error(double.gradient))
        }
        // Sampled log-normalisers: log Z of 64 sampled ranks from the loss engine's Double path (the hook; the
        // public logNormalizers() runs the outputs' transform instead) against direct Double sums, and the loss
        // totals of the Float and Double paths.
        var g = SplitMix(seed: 9)
        let ranks = (0..<64).map { _ in Int(g.next() % UInt64(n)) }
        let direct = directLogNormalizers(s, ranks: ranks, temperature: tau)
        let fromPath = GaussBenchmarkHooks.logNormalizers(scores: s, temperature: tau, ranks: ranks)
        let worst = zip(direct, fromPath).reduce(0) { max($0, abs($1.0 - $1.1) / max(abs($1.0), 1)) }
        return String(format: "log Z (Double path, 64 ranks) %.1e; Float vs Double path loss %.1e", worst,
                      abs(got.loss - double.loss) / abs(double.loss))
    }
}
