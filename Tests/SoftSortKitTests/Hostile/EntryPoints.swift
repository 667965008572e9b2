@testable import SoftSortKit

/// Every public entry point of SoftSortKit that takes scores, run once with
/// fixed upstream gradients: each output of each path, and each gradient, by
/// name. The hostile suites check that all are finite (huge scores), bitwise
/// equal across thread counts and concurrent callers, and exactly rescaled.
struct EntryPoints: Sendable {
    var temperature: Double = 1
    var threads: Int? = nil
    var backend: Backend? = nil
    /// The powers of SoftSort's paths (dense, fused, window, perturbed).
    var powers: [Double] = [1, 2, 1.5]
    /// `false`: only the `O(B n)` paths (exact, gauss, window, argsort), for
    /// shapes too large for `B x n x n` matrices in a debug build.
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
            try out += windowOutputs(soft, s, batch: b, count: n, values: values)
        }
        if matrices {
            let neural = NeuralSort(temperature: temperature, backend: backend, threads: threads)
            for path in [SoftSortPath.dense, .fused] {
                let result = try neural.forward(scores: s, batch: b, count: n, path: path)
                try out += pathOutputs(result, "NeuralSort \(path)", values: values)
            }
        }
        try out += exactOutputs(s, batch: b, count: n, values: values)
        try out += gaussOutputs(s, batch: b, count: n, values: values)
        out.append(("argsort", try argsort(s, batch: b, count: n, threads: threads).map { T($0) }))
        return out
    }

    /// Every output `result`'s path computes (`RelaxedPermutation`'s table),
    /// each with its backward; `P` only when `matrices` is set.
    func pathOutputs<T: SoftSortScalar>(
        _ result: RelaxedPermutation<T>, _ name: String, values: [T]
    ) throws -> [(String, [T])] {
        let b = result.batch, n = result.count, m = b * n
        func covers(_ output: String) -> Bool { (try? result.path(for: output)) != nil }
        var out: [(String, [T])] = []
        if matrices && covers("matrices") {
            let p = try result.matrices()
            out += [("\(name) P", p.values), ("\(name) dL/ds", try p.backward(Self.upstream(m * n, seed: 2)))]
        }
        if covers("sortedValues") {
            let sorted = try result.sortedValues()
            out += [("\(name) P s", sorted.values), ("\(name) d(P s)", try sorted.backward(Self.upstream(m, seed: 3)))]
        }
        if covers("ranks") {
            let ranks = try result.ranks()
            out += [("\(name) ranks", ranks.values), ("\(name) d ranks", try ranks.backward(Self.upstream(m, seed: 11)))]
        }
        var products: [(String, RelaxedProduct<T>)] = []
        if covers("product") {
            products += [("\(name) P V", try result.apply(to: values, dimension: 2)),
                         ("\(name) top-k", try result.topK(min(2, n), of: values, dimension: 2))]
            if n > 0 { products.append(("\(name) quantile", try result.quantiles([0.5], of: values, dimension: 2))) }
        }
        if covers("transposedProduct") {
            products.append(("\(name) P^T U", try result.applyTransposed(to: values, dimension: 2)))
        }
        for (label, product) in products {
            let gradient = try product.backward(Self.upstream(product.values.count, seed: 4))
            out += [(label, product.values), (label + " dL/ds", gradient.scores), (label + " dL/dV", gradient.values)]
        }
        // Targets: every row picks its own sorted position (the paper's task).
        if covers("crossEntropy") {
            let loss = try result.crossEntropy(targets: result.permutation)
            out += [("\(name) cross-entropy", [loss.value]), ("\(name) cross-entropy dL/ds", loss.gradient)]
        }
        if covers("nearestNeighbors") && n > 0 {
            let matches: [T] = (0..<m).map { T($0 % 2) }
            let knn = try result.nearestNeighborLoss(matches: matches, k: min(2, n))
            out += [("\(name) kNN", [knn.value]), ("\(name) kNN dL/ds", knn.gradient)]
        }
        if covers("logNormalizers") { out.append(("\(name) log Z", try result.logNormalizers())) }
        return out
    }

    /// The dense, fused and perturbed outputs of one SoftSort.
    func matrixOutputs<T: SoftSortScalar>(_ soft: SoftSort, _ s: [T], batch b: Int, count n: Int, values: [T]) throws -> [(String, [T])] {
        let m = b * n, p = soft.power
        var out: [(String, [T])] = []
        for path in [SoftSortPath.dense, .fused] {
            let result = try soft.forward(scores: s, batch: b, count: n, path: path)
            try out += pathOutputs(result, "SoftSort p=\(p) \(path)", values: values)
        }
        for kind in [GumbelPerturbation.ScoreKind.logScores, .positive] where kind == .logScores || s.allSatisfy({ $0 > 0 }) {
            var perturbed = soft
            perturbed.perturbation = GumbelPerturbation(samplesPerRow: 2, scoreKind: kind, seed: 9)
            let stochastic = try perturbed.forward(scores: s, batch: b, count: n, path: .dense)
            let matrices = try stochastic.matrices()
            out.append(("stochastic p=\(p) \(kind) P", matrices.values))
            out.append(("stochastic p=\(p) \(kind) s~", stochastic.scores))
            out.append(("stochastic p=\(p) \(kind) dL/ds", try matrices.backward(Self.upstream(2 * m * n, seed: 6))))
        }
        return out
    }

    /// The window path: its sparse rows for a window of ranks and one of a
    /// tolerance, and every output of the window of ranks.
    func windowOutputs<T: SoftSortScalar>(_ soft: SoftSort, _ s: [T], batch b: Int, count n: Int, values: [T]) throws -> [(String, [T])] {
        let p = soft.power
        var out: [(String, [T])] = []
        for window in [SoftSortPath.Window.ranks(2), .tolerance(1e-6)] {
            let result = try soft.forward(scores: s, batch: b, count: n, path: .window(window))
            let rows = try result.sparseRows(rows: min(3, n))
            out.append(("windowed p=\(p) \(window) P", rows.values))
            out.append(("windowed p=\(p) \(window) dropped", rows.droppedMass))
            out.append(("windowed p=\(p) \(window) dL/ds", try rows.backward(Self.upstream(rows.values.count, seed: 5))))
            // Every row of a tolerance window can hold every entry: O(B n^2). Each
            // output runs the window's forward again: on the O(B n) shapes (a debug
            // build's seconds each), for the first power only.
            if case .ranks = window, matrices || p == powers.first {
                try out += pathOutputs(result, "windowed p=\(p) \(window)", values: values)
            }
        }
        return out
    }

    /// Every output of the `p = 2` gauss path.
    func gaussOutputs<T: SoftSortScalar>(_ s: [T], batch b: Int, count n: Int, values: [T]) throws -> [(String, [T])] {
        let gauss = try SoftSort(temperature: temperature, power: 2, backend: backend, threads: threads)
            .forward(scores: s, batch: b, count: n, path: .gauss)
        return try pathOutputs(gauss, "gauss", values: values)
    }

    /// Every output of the exact `p = 1` path.
    func exactOutputs<T: SoftSortScalar>(_ s: [T], batch b: Int, count n: Int, values: [T]) throws -> [(String, [T])] {
        let exact = try SoftSort(temperature: temperature, power: 1, backend: backend, threads: threads)
            .forward(scores: s, batch: b, count: n, path: .exact)
        return try pathOutputs(exact, "exact", values: values)
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
