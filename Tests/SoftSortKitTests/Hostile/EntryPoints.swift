@testable import SoftSortKit

/// Every public entry point of SoftSortKit that takes scores, run once with
/// fixed upstream gradients: each output and each gradient, by name. The
/// hostile suites check that all are finite (huge scores), bitwise equal
/// across thread counts and concurrent callers, and exactly rescaled.
struct EntryPoints: Sendable {
    var temperature: Double = 1
    var threads: Int? = nil
    var backend: Backend? = nil
    /// The powers of SoftSort's paths (dense, fused, windowed, stochastic).
    var powers: [Double] = [1, 2, 1.5]
    /// `false`: only the `O(B n)` paths (exact, windowed, argsort), for shapes
    /// too large for `B x n x n` matrices in a debug build.
    var matrices = true

    /// `count` values in `[-1, 1)` from `seed`: upstream gradients, values.
    static func upstream<T: SoftSortScalar>(_ count: Int, seed: UInt64) -> [T] {
        var random = TestRandom(seed: seed)
        return (0..<count).map { _ in T(random.uniform()) }
    }

    /// Every output and gradient for `scores` (`batch x count`).
    func outputs<T: SoftSortScalar>(_ s: [T], batch b: Int, count n: Int) throws -> [(String, [T])] {
        var out: [(String, [T])] = []
        let m = b * n, values: [T] = Self.upstream(m * 2, seed: 1)
        for p in powers {
            let soft = SoftSort(temperature: temperature, power: p, backend: backend, threads: threads)
            if matrices { try out += matrixOutputs(soft, s, batch: b, count: n, values: values) }
            for window in [WindowedSoftSort.Window.ranks(2), .tolerance(1e-6)] {
                let windowed = try WindowedSoftSort(
                    temperature: temperature, power: p, backend: backend, threads: threads, topK: min(3, n), window: window
                ).forward(scores: s, batch: b, count: n)
                out.append(("windowed p=\(p) \(window) P", windowed.values))
                out.append(("windowed p=\(p) \(window) dropped", windowed.droppedMass))
                out.append(("windowed p=\(p) \(window) dL/ds", try windowed.backward(Self.upstream(windowed.values.count, seed: 5))))
            }
        }
        if matrices {
            let neural = try NeuralSort(temperature: temperature, backend: backend, threads: threads).forward(scores: s, batch: b, count: n)
            out.append(("NeuralSort P", neural.matrices))
            out.append(("NeuralSort dL/ds", try neural.backward(Self.upstream(m * n, seed: 7))))
            out.append(("NeuralSort d(P s)", try neural.sortedValues().backward(Self.upstream(m, seed: 8))))
            for path in [LossPath.dense, .fused] {
                let loss = try NeuralSort(temperature: temperature, backend: backend, threads: threads).crossEntropy(
                    scores: s, targets: try argsort(s, batch: b, count: n), batch: b, count: n, path: path)
                out += [("NeuralSort loss \(path)", [loss.value]), ("NeuralSort loss \(path) dL/ds", loss.gradient)]
            }
        }
        try out += exactOutputs(s, batch: b, count: n, values: values)
        try out += gaussOutputs(s, batch: b, count: n, values: values)
        out.append(("argsort", try argsort(s, batch: b, count: n, threads: threads).map { T($0) }))
        return out
    }

    /// The dense, fused and stochastic outputs of one SoftSort.
    func matrixOutputs<T: SoftSortScalar>(_ soft: SoftSort, _ s: [T], batch b: Int, count n: Int, values: [T]) throws -> [(String, [T])] {
        let m = b * n, p = soft.power
        let dense = try soft.forward(scores: s, batch: b, count: n)
        let sorted = dense.sortedValues()
        var out: [(String, [T])] = [
            ("SoftSort p=\(p) P", dense.matrices), ("SoftSort p=\(p) dL/ds", try dense.backward(Self.upstream(m * n, seed: 2))),
            ("SoftSort p=\(p) P s", sorted.values), ("SoftSort p=\(p) d(P s)", try sorted.backward(Self.upstream(m, seed: 3)))]
        let fused = try soft.apply(to: values, scores: s, batch: b, count: n, dimension: 2)
        let fusedGradient = try fused.backward(Self.upstream(m * 2, seed: 4))
        out += [("apply p=\(p) P V", fused.values), ("apply p=\(p) dL/ds", fusedGradient.scores),
                ("apply p=\(p) dL/dV", fusedGradient.values)]
        // The fused losses (issue 10) on each path; targets: every row its own sorted position.
        let targets = try argsort(s, batch: b, count: n)
        let matches: [T] = (0..<m).map { T($0 % 2) }
        for path in [LossPath.dense, .fused] + (p == 1 ? [.exact] : []) + (p == 2 ? [.gauss] : []) {
            let loss = try soft.crossEntropy(scores: s, targets: targets, batch: b, count: n, path: path)
            out += [("loss p=\(p) \(path)", [loss.value]), ("loss p=\(p) \(path) dL/ds", loss.gradient)]
            if n > 0 && path != .gauss {  // the kNN loss has no gauss path (.unsupportedPath)
                let knn = try soft.nearestNeighborLoss(scores: s, matches: matches, k: min(2, n), batch: b, count: n, path: path)
                out += [("kNN p=\(p) \(path)", [knn.value]), ("kNN p=\(p) \(path) dL/ds", knn.gradient)]
            }
        }
        for kind in [StochasticSoftSort.ScoreKind.logScores, .positive] where kind == .logScores || s.allSatisfy({ $0 > 0 }) {
            let stochastic = try StochasticSoftSort(base: soft, samplesPerRow: 2, scoreKind: kind, seed: 9)
                .forward(scores: s, batch: b, count: n)
            out.append(("stochastic p=\(p) \(kind) P", stochastic.relaxed.matrices))
            out.append(("stochastic p=\(p) \(kind) s~", stochastic.perturbedScores))
            out.append(("stochastic p=\(p) \(kind) dL/ds", try stochastic.backward(Self.upstream(2 * m * n, seed: 6))))
        }
        return out
    }

    /// Every output of the `p = 2` gauss path (`GaussSoftSort`).
    func gaussOutputs<T: SoftSortScalar>(_ s: [T], batch b: Int, count n: Int, values: [T]) throws -> [(String, [T])] {
        let m = b * n
        let gauss = try GaussSoftSort(temperature: temperature, threads: threads).forward(scores: s, batch: b, count: n)
        var out: [(String, [T])] = [("gauss log Z", gauss.logNormalizers)]
        let sorted = gauss.sortedValues(), ranks = gauss.ranks()
        out += [("gauss P s", sorted.values), ("gauss d(P s)", try sorted.backward(Self.upstream(m, seed: 13))),
                ("gauss ranks", ranks.values), ("gauss d ranks", try ranks.backward(Self.upstream(m, seed: 14)))]
        let product = try gauss.apply(to: values, dimension: 2)
        let gradient = try product.backward(Self.upstream(product.values.count, seed: 15))
        out += [("gauss P V", product.values), ("gauss P V dL/ds", gradient.scores), ("gauss P V dL/dV", gradient.values)]
        let loss = try gauss.crossEntropy(targets: gauss.permutation)
        out += [("gauss cross-entropy", [loss.value]), ("gauss cross-entropy dL/ds", loss.gradient)]
        return out
    }

    /// Every output of the exact `p = 1` path.
    func exactOutputs<T: SoftSortScalar>(_ s: [T], batch b: Int, count n: Int, values: [T]) throws -> [(String, [T])] {
        let m = b * n
        let exact = try ExactSoftSort(temperature: temperature, backend: backend, threads: threads).forward(scores: s, batch: b, count: n)
        var out: [(String, [T])] = [("exact log Z", exact.logNormalizers)]
        let sorted = exact.sortedValues(), ranks = exact.ranks()
        out += [("exact P s", sorted.values), ("exact d(P s)", try sorted.backward(Self.upstream(m, seed: 10))),
                ("exact ranks", ranks.values), ("exact d ranks", try ranks.backward(Self.upstream(m, seed: 11)))]
        var products = [("exact P V", try exact.apply(to: values, dimension: 2)),
                        ("exact P^T U", try exact.applyTransposed(to: values, dimension: 2)),
                        ("exact top-k", try exact.topK(min(2, n), of: values, dimension: 2))]
        if n > 0 { products.append(("exact quantile", try exact.quantile(0.5, of: values, dimension: 2))) }
        for (name, product) in products {
            let gradient = try product.backward(Self.upstream(product.values.count, seed: 12))
            out += [(name, product.values), (name + " dL/ds", gradient.scores), (name + " dL/dV", gradient.values)]
        }
        // Targets: every row picks its own sorted position (the paper's task).
        let loss = try exact.crossEntropy(targets: exact.permutation)
        out += [("exact cross-entropy", [loss.value]), ("exact cross-entropy dL/ds", loss.gradient)]
        if n > 0 {
            let matches: [T] = (0..<m).map { T($0 % 2) }
            let knn = try exact.nearestNeighborLoss(matches: matches, k: min(2, n))
            out += [("exact kNN", [knn.value]), ("exact kNN dL/ds", knn.gradient)]
        }
        return out
    }
}

/// The names of the arrays with an infinite or NaN element.
func nonFinite<T: SoftSortScalar>(_ outputs: [(String, [T])]) -> [String] {
    outputs.filter { !$0.1.allSatisfy(\.isFinite) }.map(\.0)
}

/// The names whose arrays differ in any bit between two runs.
func bitwiseDifferences<T: SoftSortScalar>(_ a: [(String, [T])], _ b: [(String, [T])]) -> [String] {
    guard a.count == b.count else { return ["output count \(a.count) vs \(b.count)"] }
    return zip(a, b).filter { x, y in
        x.0 != y.0 || x.1.count != y.1.count || zip(x.1, y.1).contains { !sameBits($0, $1) }
    }.map(\.0.0)
}

/// The same value, sign of zero included (NaN equal to NaN).
func sameBits<T: BinaryFloatingPoint>(_ x: T, _ y: T) -> Bool {
    x.isNaN ? y.isNaN : (x == y && x.sign == y.sign)
}
