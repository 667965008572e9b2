import Testing
@testable import SoftSortKit

/// A `GumbelPerturbation` (`PerturbedRows`): every output of every path has
/// `batch * samplesPerRow` rows, those of the unperturbed operator on the
/// perturbed rows (`RelaxedPermutation.scores`), and every backward folds
/// the samples' score gradients back to `batch x count`: their sum over the
/// samples of a row (divided by `s` for positive scores), formed here by hand.
/// The losses take the caller's rows' targets and matches, and the
/// cross-entropy is the mean over the samples of their sums.
@Suite("Perturbation: rows and folded gradients")
struct PerturbedRowsTests {
    typealias Output<T: SoftSortScalar> = (name: String, values: [T], scores: [T], valueGradient: [T])

    /// Every output `result`'s path computes and its backward, for inputs
    /// laid out for `result.batch` rows.
    static func outputs<T: SoftSortScalar>(
        _ result: RelaxedPermutation<T>, targets: [Int], matches: [T]
    ) throws -> [Output<T>] {
        let rows = result.batch, n = result.count, d = OutputChecks.dimension
        let values: [T] = OutputChecks.upstream(rows * n * d), rowGradient: [T] = OutputChecks.upstream(rows * n + 3)
        let row = Array(rowGradient.dropFirst(3))
        func covers(_ output: OutputKind) -> Bool { (try? result.path(for: output.rawValue)) != nil }
        func product(_ name: String, _ p: RelaxedProduct<T>) throws -> Output<T> {
            #expect(p.batch == rows && p.values.count == rows * p.rows * d, "\(name)")
            let gradient = try p.backward(OutputChecks.upstream(p.values.count))
            return (name, p.values, gradient.scores, gradient.values)
        }
        var out: [Output<T>] = []
        if covers(.matrices) {
            let m = try result.matrices()
            #expect(m.batch == rows && m.values.count == rows * n * n)
            out.append(("matrices", m.values, try m.backward(OutputChecks.upstream(rows * n * n)), []))
        }
        if case .window = result.path {
            let sparse = try result.sparseRows(rows: (n + 1) / 2)
            #expect(sparse.batch == rows && sparse.rowOffsets.count == rows * sparse.rows + 1)
            out.append(("sparseRows", sparse.values, try sparse.backward(OutputChecks.upstream(sparse.values.count)), []))
        }
        if covers(.product) {
            out.append(try product("apply", result.apply(to: values, dimension: d)))
            out.append(try product("topK", result.topK(OutputChecks.topK(count: n), of: values, dimension: d)))
            if n > 0 { out.append(try product("quantiles", result.quantiles(OutputChecks.levels, of: values, dimension: d))) }
        }
        if covers(.transposedProduct) { out.append(try product("applyTransposed", result.applyTransposed(to: values, dimension: d))) }
        for kind in [OutputKind.sortedValues, .ranks] where covers(kind) {
            let r = kind == .ranks ? try result.ranks() : try result.sortedValues()
            #expect(r.batch == rows && r.values.count == rows * n)
            out.append((kind.rawValue, r.values, try r.backward(row), []))
        }
        if covers(.crossEntropy) {
            let loss = try result.crossEntropy(targets: targets)
            out.append(("crossEntropy", [loss.value], loss.gradient, []))
        }
        if covers(.nearestNeighbors) && n > 0 {
            let loss = try result.nearestNeighborLoss(matches: matches, k: OutputChecks.neighbours(count: n))
            out.append(("kNN", [loss.value], loss.gradient, []))
        }
        if covers(.logNormalizers) { out.append(("logNormalizers", try result.logNormalizers(), [], [])) }
        return out
    }

    static func check<T: SoftSortScalar>(
        _: T.Type, power: Double, path: SoftSortPath, kind: GumbelPerturbation.ScoreKind, count n: Int
    ) throws {
        let batch = 2, samples = 3
        var random = TestRandom(seed: UInt64(n) &* 13)
        // Positive scores in [0.5, 2.5): any finite scores are log-scores.
        let s = (0..<batch).flatMap { _ in random.distinct(n, spread: 2).map { T($0 + 0.5) } }
        let perturbation = GumbelPerturbation(samplesPerRow: samples, scoreKind: kind, seed: 17)
        let plain = SoftSort(temperature: 0.5, power: power)
        var op = plain
        op.perturbation = perturbation
        let label = "\(T.self) p \(power) \(path) \(kind) n \(n)"
        let result = try op.forward(scores: s, batch: batch, count: n, path: path)
        #expect(result.batch == batch * samples && result.count == n && result.scores.count == batch * samples * n, "\(label)")
        let alone = try plain.forward(scores: result.scores, batch: batch * samples, count: n, path: path)
        // The losses' inputs per caller row, and each row's once per sample for the unperturbed operator.
        let targets = (0..<batch * n).map { ($0 * 5 + 1) % n }, matches = (0..<batch * n).map { T($0 % 2) }
        func repeated<E>(_ rows: [E]) -> [E] {
            (0..<batch).flatMap { b in (0..<samples).flatMap { _ in rows[b * n ..< (b + 1) * n] } }
        }
        let perturbed = try Self.outputs(result, targets: targets, matches: matches)
        let unperturbed = try Self.outputs(alone, targets: repeated(targets), matches: repeated(matches))
        #expect(perturbed.map(\.name) == unperturbed.map(\.name) && perturbed.count >= 5, "\(label)")
        func fold(_ g: [T]) -> [T] {
            guard !g.isEmpty else { return [] }
            var sum = [T](repeating: 0, count: batch * n)
            for b in 0..<batch {
                for m in 0..<samples {
                    for j in 0..<n { sum[b * n + j] += g[(b * samples + m) * n + j] }
                }
                if kind == .positive {
                    for j in 0..<n { sum[b * n + j] /= s[b * n + j] }
                }
            }
            return sum
        }
        for (a, b) in zip(perturbed, unperturbed) {
            // The cross-entropy is a sum over rows: with samples, their mean.
            let mean = a.name == "crossEntropy" ? T(samples) : 1
            #expect(a.values == b.values.map { $0 / mean }, "\(label) \(a.name): the unperturbed operator's on the perturbed rows")
            #expect(a.scores.count == (b.scores.isEmpty ? 0 : batch * n), "\(label) \(a.name): folded to batch x count")
            #expect(a.scores == fold(b.scores).map { $0 / mean }, "\(label) \(a.name): the samples' gradients summed")
            #expect(a.valueGradient == b.valueGradient, "\(label) \(a.name) dL/dV")
        }
    }

    static let paths: [(power: Double, path: SoftSortPath)] = [
        (1, .dense), (1.5, .dense), (2, .fused), (1, .exact), (2, .gauss), (1, .window(.ranks(2))), (1.5, .automatic),
    ]

    @Test("every output has batch x samples rows and folds its gradient, on every path",
          arguments: [1, 7, 8, 9, 31, 32, 33])
    func everyPath(count n: Int) throws {
        for (power, path) in Self.paths {
            for kind in [GumbelPerturbation.ScoreKind.logScores, .positive] {
                try Self.check(Double.self, power: power, path: path, kind: kind, count: n)
                try Self.check(Float.self, power: power, path: path, kind: kind, count: n)
            }
        }
    }
}
