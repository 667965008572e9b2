import Testing
@testable import SoftSortKit

/// Every input array (scores, values, matches, targets, upstream gradients)
/// of every entry point, and every parameter, is checked with one policy: a
/// typed error naming the argument (and, for arrays, the batch row and column).
@Suite("Hostile inputs: typed errors")
struct HostileValidationTests {
    typealias O = Ordinary

    /// Non-finite entries of every input array, on every path.
    static let nonFiniteInputs: [HostileCase] = [
        .init("dense scores NaN", .nonFiniteScore(row: 1, column: 2)) { _ = try O.soft().forward(scores: O.ones(6, at: 5), batch: 2, count: 3) },
        .init("dense scores +inf", .nonFiniteScore(row: 0, column: 1)) { _ = try O.soft().forward(scores: O.ones(6, .infinity, at: 1), batch: 2, count: 3) },
        .init("NeuralSort scores -inf", .nonFiniteScore(row: 1, column: 0)) { _ = try NeuralSort().forward(scores: O.ones(6, -.infinity, at: 3), batch: 2, count: 3) },
        .init("exact scores NaN", .nonFiniteScore(row: 0, column: 0)) { _ = try ExactSoftSort().forward(scores: O.ones(6, at: 0), batch: 2, count: 3) },
        .init("windowed scores NaN", .nonFiniteScore(row: 1, column: 1)) { _ = try WindowedSoftSort(window: .ranks(1)).forward(scores: O.ones(6, at: 4), batch: 2, count: 3) },
        .init("stochastic scores inf", .nonFiniteScore(row: 0, column: 2)) { _ = try StochasticSoftSort().forward(scores: O.ones(6, .infinity, at: 2), batch: 2, count: 3) },
        .init("argsort scores NaN", .nonFiniteScore(row: 1, column: 2)) { _ = try argsort(O.ones(6, at: 5), batch: 2, count: 3) },
        .init("fused values NaN", .nonFiniteInput(argument: "values", row: 1, column: 3)) { _ = try O.soft().apply(to: O.ones(12, at: 9), scores: O.scores, batch: 2, count: 3, dimension: 2) },
        .init("exact apply values inf", .nonFiniteInput(argument: "values", row: 0, column: 1)) { _ = try O.exact.apply(to: O.ones(6, .infinity, at: 1)) },
        .init("exact P^T U values NaN", .nonFiniteInput(argument: "values", row: 1, column: 0)) { _ = try O.exact.applyTransposed(to: O.ones(6, at: 3)) },
        .init("exact top-k values NaN", .nonFiniteInput(argument: "values", row: 0, column: 2)) { _ = try O.exact.topK(2, of: O.ones(6, at: 2)) },
        .init("exact quantile values NaN", .nonFiniteInput(argument: "values", row: 1, column: 2)) { _ = try O.exact.quantile(0.5, of: O.ones(6, at: 5)) },
        .init("kNN matches NaN", .nonFiniteInput(argument: "matches", row: 1, column: 1)) { _ = try O.exact.nearestNeighborLoss(matches: O.ones(6, at: 4), k: 1) },
        .init("dense dL/dP NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 7)) { _ = try O.dense.backward(O.ones(18, at: 16)) },
        .init("dense dL/dP -inf", .nonFiniteInput(argument: "gradient", row: 0, column: 0)) { _ = try O.dense.backward(O.ones(18, -.infinity, at: 0)) },
        .init("NeuralSort dL/dP NaN", .nonFiniteInput(argument: "gradient", row: 0, column: 4)) { _ = try O.neural.backward(O.ones(18, at: 4)) },
        .init("stochastic dL/dP NaN", .nonFiniteInput(argument: "gradient", row: 3, column: 8)) { _ = try O.stochastic.backward(O.ones(36, at: 35)) },
        .init("dense d(P s) NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 1)) { _ = try O.dense.sortedValues().backward(O.ones(6, at: 4)) },
        .init("exact d(P s) NaN", .nonFiniteInput(argument: "gradient", row: 0, column: 1)) { _ = try O.exact.sortedValues().backward(O.ones(6, at: 1)) },
        .init("exact d ranks inf", .nonFiniteInput(argument: "gradient", row: 1, column: 2)) { _ = try O.exact.ranks().backward(O.ones(6, .infinity, at: 5)) },
        .init("exact d(P V) NaN", .nonFiniteInput(argument: "gradient", row: 0, column: 2)) { _ = try O.exact.apply(to: O.ones(6, 1, at: 0)).backward(O.ones(6, at: 2)) },
        .init("exact top-k gradient NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 0)) { _ = try O.exact.topK(1, of: O.ones(6, 1, at: 0)).backward(O.ones(2, at: 1)) },
        .init("fused dL/dY NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 5)) { _ = try O.fused.backward(O.ones(12, at: 11)) },
        .init("fused loss scores NaN", .nonFiniteScore(row: 1, column: 0)) { _ = try O.soft(p: 2).crossEntropy(scores: O.ones(6, at: 3), targets: [0, 1, 2, 0, 1, 2], batch: 2, count: 3) },
        .init("NeuralSort loss scores inf", .nonFiniteScore(row: 0, column: 2)) { _ = try NeuralSort().crossEntropy(scores: O.ones(6, .infinity, at: 2), targets: [0, 1, 2, 0, 1, 2], batch: 2, count: 3) },
        .init("fused kNN matches NaN", .nonFiniteInput(argument: "matches", row: 1, column: 2)) { _ = try O.soft(p: 2).nearestNeighborLoss(scores: O.scores, matches: O.ones(6, at: 5), k: 1, batch: 2, count: 3) },
        .init("windowed gradient NaN", .nonFiniteInput(argument: "gradient", row: 3, column: 1)) {
            let w = try O.windowed
            _ = try w.backward(O.ones(w.values.count, at: w.rowOffsets[3] + 1))
        },
    ]

    @Test("non-finite scores, values, matches and upstream gradients", arguments: nonFiniteInputs)
    func nonFiniteInput(_ hostile: HostileCase) {
        hostile.check()
    }

    /// Temperatures, powers and the other real parameters, on every operator.
    static let temperatures: [HostileCase] = [0.0, -1, .nan, .infinity, -.infinity, 1e-45, 1e-50, 1e50].flatMap { tau -> [HostileCase] in [
        HostileCase("SoftSort tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("fused tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau).apply(to: O.scores, scores: O.scores, batch: 2, count: 3) },
        HostileCase("NeuralSort tau \(tau)", .invalidTemperature(tau)) { _ = try NeuralSort(temperature: tau).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("exact tau \(tau)", .invalidTemperature(tau)) { _ = try ExactSoftSort(temperature: tau).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("windowed tau \(tau)", .invalidTemperature(tau)) { _ = try WindowedSoftSort(temperature: tau, window: .ranks(1)).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("stochastic tau \(tau)", .invalidTemperature(tau)) { _ = try StochasticSoftSort(base: O.soft(tau: tau)).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("loss tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau, p: 2).crossEntropy(scores: O.scores, targets: [0, 1, 2, 0, 1, 2], batch: 2, count: 3) },
    ] }

    static let powers: [HostileCase] = [0.0, -2, .nan, .infinity, -.infinity].flatMap { p -> [HostileCase] in [
        HostileCase("SoftSort p \(p)", .invalidPower(p)) { _ = try O.soft(p: p).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("fused p \(p)", .invalidPower(p)) { _ = try O.soft(p: p).apply(to: O.scores, scores: O.scores, batch: 2, count: 3) },
        HostileCase("windowed p \(p)", .invalidPower(p)) { _ = try WindowedSoftSort(power: p, window: .ranks(1)).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("loss p \(p)", .invalidPower(p)) { _ = try O.soft(p: p).nearestNeighborLoss(scores: O.scores, matches: O.scores, k: 1, batch: 2, count: 3) },
        HostileCase("stochastic p \(p)", .invalidPower(p)) { _ = try StochasticSoftSort(base: O.soft(p: p)).forward(scores: O.scores, batch: 2, count: 3) },
    ] }

    static let levels: [HostileCase] = [-0.1, 1.5, .nan, .infinity].map { q -> HostileCase in
        HostileCase("quantile q \(q)", .invalidArgument(name: "q", value: q)) { _ = try O.exact.quantile(q, of: O.scores) }
    } + [0.0, 1, -1, .nan, 2].map { t -> HostileCase in
        HostileCase("window tolerance \(t)", .invalidArgument(name: "tolerance", value: t)) { _ = try WindowedSoftSort(window: .tolerance(t)).forward(scores: O.scores, batch: 2, count: 3) }
    }

    @Test("temperatures, powers, quantile levels, window tolerances", arguments: temperatures + powers + levels)
    func parameter(_ hostile: HostileCase) {
        hostile.check()
    }

    /// Shapes, sizes, indices and counts.
    static let shapes: [HostileCase] = [
        .init("negative batch", .invalidDimension(argument: "batch", value: -1)) { _ = try O.soft().forward(scores: [Float](), batch: -1, count: 3) },
        .init("negative count", .invalidDimension(argument: "count", value: -3)) { _ = try ExactSoftSort().forward(scores: [Float](), batch: 2, count: -3) },
        .init("negative dimension", .invalidDimension(argument: "dimension", value: -2)) { _ = try O.soft().apply(to: [Float](), scores: O.scores, batch: 2, count: 3, dimension: -2) },
        .init("exact dimension 0", .invalidDimension(argument: "dimension", value: 0)) { _ = try O.exact.apply(to: [Float](), dimension: 0) },
        .init("B n^2 overflows", .shapeOverflow(batch: 1 << 40, count: 1 << 12)) { _ = try O.soft().forward(scores: [Float](), batch: 1 << 40, count: 1 << 12) },
        .init("NeuralSort B n^2 overflows", .shapeOverflow(batch: 2, count: 1 << 32)) { _ = try NeuralSort().forward(scores: [Float](), batch: 2, count: 1 << 32) },
        .init("exact B n overflows", .shapeOverflow(batch: Int.max, count: 2)) { _ = try ExactSoftSort().forward(scores: [Float](), batch: Int.max, count: 2) },
        .init("B n d overflows", .shapeOverflow(batch: 1 << 30, count: 1 << 20)) { _ = try O.soft().apply(to: [Float](), scores: [Float](), batch: 1 << 30, count: 1 << 20, dimension: 1 << 20) },
        .init("stochastic B k overflows", .shapeOverflow(batch: 2, count: 3)) { _ = try StochasticSoftSort(samplesPerRow: Int.max).forward(scores: O.scores, batch: 2, count: 3) },
        .init("scores too short", .sizeMismatch(argument: "scores", expected: 6, actual: 5)) { _ = try NeuralSort().forward(scores: [Float](repeating: 0, count: 5), batch: 2, count: 3) },
        .init("values too long", .sizeMismatch(argument: "values", expected: 6, actual: 7)) { _ = try O.exact.apply(to: [Float](repeating: 0, count: 7)) },
        .init("dL/dP too short", .sizeMismatch(argument: "gradient", expected: 18, actual: 17)) { _ = try O.dense.backward([Float](repeating: 0, count: 17)) },
        .init("fused gradient too short", .sizeMismatch(argument: "gradient", expected: 12, actual: 6)) { _ = try O.fused.backward([Float](repeating: 0, count: 6)) },
        .init("windowed gradient too long", .sizeMismatch(argument: "gradient", expected: 10, actual: 11)) { _ = try O.windowed.backward([Float](repeating: 0, count: 11)) },
        .init("targets too short", .sizeMismatch(argument: "targets", expected: 6, actual: 3)) { _ = try O.exact.crossEntropy(targets: [0, 1, 2]) },
        .init("target 3 of n = 3", .indexOutOfRange(argument: "targets", position: 4, value: 3, count: 3)) { _ = try O.exact.crossEntropy(targets: [0, 1, 2, 0, 3, 1]) },
        .init("target -1", .indexOutOfRange(argument: "targets", position: 0, value: -1, count: 3)) { _ = try O.exact.crossEntropy(targets: [-1, 1, 2, 0, 1, 2]) },
        .init("fused loss target 5", .indexOutOfRange(argument: "targets", position: 1, value: 5, count: 3)) { _ = try O.soft(p: 2).crossEntropy(scores: O.scores, targets: [0, 5, 2, 0, 1, 2], batch: 2, count: 3, path: .fused) },
        .init("dense loss target -2", .indexOutOfRange(argument: "targets", position: 5, value: -2, count: 3)) { _ = try NeuralSort().crossEntropy(scores: O.scores, targets: [0, 1, 2, 0, 1, -2], batch: 2, count: 3, path: .dense) },
        .init("exact loss path with p = 2", .unsupportedPath(path: "exact", reason: "the exact scans need SoftSort with power 1")) { _ = try O.soft(p: 2).crossEntropy(scores: O.scores, targets: [0, 1, 2, 0, 1, 2], batch: 2, count: 3, path: .exact) },
        .init("fused kNN k 4 of 3", .invalidRowSelection(argument: "k", value: 4, count: 3)) { _ = try O.soft(p: 2).nearestNeighborLoss(scores: O.scores, matches: O.scores, k: 4, batch: 2, count: 3) },
        .init("top-k 4 of 3", .invalidRowSelection(argument: "k", value: 4, count: 3)) { _ = try O.exact.topK(4, of: O.scores) },
        .init("top-k -1", .invalidRowSelection(argument: "k", value: -1, count: 3)) { _ = try O.exact.topK(-1, of: O.scores) },
        .init("kNN k 0", .invalidRowSelection(argument: "k", value: 0, count: 3)) { _ = try O.exact.nearestNeighborLoss(matches: O.scores, k: 0) },
        .init("kNN k 4 of 3", .invalidRowSelection(argument: "k", value: 4, count: 3)) { _ = try O.exact.nearestNeighborLoss(matches: O.scores, k: 4) },
        .init("quantile of n = 0", .invalidRowSelection(argument: "quantile rows", value: 1, count: 0)) {
            _ = try ExactSoftSort().forward(scores: [Float](), batch: 2, count: 0).quantile(0.5, of: [Float]())
        },
        .init("windowed topK 9 of n = 4 (was clamped)", .invalidRowSelection(argument: "topK", value: 9, count: 4)) {
            _ = try WindowedSoftSort(topK: 9, window: .ranks(1)).forward(scores: [Float](repeating: 0, count: 4), batch: 1, count: 4)
        },
        .init("windowed topK -1", .invalidRowSelection(argument: "topK", value: -1, count: 3)) { _ = try WindowedSoftSort(topK: -1, window: .ranks(1)).forward(scores: O.scores, batch: 2, count: 3) },
        .init("window width -1", .invalidWindowWidth(-1)) { _ = try WindowedSoftSort(window: .ranks(-1)).forward(scores: O.scores, batch: 2, count: 3) },
        .init("samples 0", .invalidSampleCount(0)) { _ = try StochasticSoftSort(samplesPerRow: 0).forward(scores: O.scores, batch: 2, count: 3) },
        .init("samples -5", .invalidSampleCount(-5)) { _ = try StochasticSoftSort(samplesPerRow: -5).forward(scores: O.scores, batch: 2, count: 3) },
        .init("positive kind, score 0", .nonPositiveScore(row: 1, column: 2)) { _ = try StochasticSoftSort(scoreKind: .positive).forward(scores: O.ones(6, 0, at: 5), batch: 2, count: 3) },
        .init("positive kind, score -1", .nonPositiveScore(row: 0, column: 0)) { _ = try StochasticSoftSort(scoreKind: .positive).forward(scores: O.ones(6, -1, at: 0), batch: 2, count: 3) },
        .init("positive kind, -0", .nonPositiveScore(row: 0, column: 1)) { _ = try StochasticSoftSort(scoreKind: .positive).forward(scores: O.ones(6, -0.0, at: 1), batch: 2, count: 3) },
    ]

    /// Thread counts below 1 on every operator (1000 runs: `HostileRuntimeTests`).
    static let threadCounts: [HostileCase] = [0, -1, Int.min].flatMap { threads -> [HostileCase] in [
        HostileCase("SoftSort threads \(threads)", .invalidThreadCount(threads)) { _ = try O.soft(threads: threads).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("NeuralSort threads \(threads)", .invalidThreadCount(threads)) { _ = try NeuralSort(threads: threads).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("exact threads \(threads)", .invalidThreadCount(threads)) { _ = try ExactSoftSort(threads: threads).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("windowed threads \(threads)", .invalidThreadCount(threads)) { _ = try WindowedSoftSort(threads: threads, window: .ranks(1)).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("fused threads \(threads)", .invalidThreadCount(threads)) { _ = try O.soft(threads: threads).apply(to: O.scores, scores: O.scores, batch: 2, count: 3) },
        HostileCase("loss threads \(threads)", .invalidThreadCount(threads)) { _ = try O.soft(threads: threads).crossEntropy(scores: O.scores, targets: [0, 1, 2, 0, 1, 2], batch: 2, count: 3) },
        HostileCase("argsort threads \(threads)", .invalidThreadCount(threads)) { _ = try argsort(O.scores, batch: 2, count: 3, threads: threads) },
    ] }

    @Test("shapes, sizes, targets, k, q, windows, sample counts, positive scores, thread counts", arguments: shapes + threadCounts)
    func shape(_ hostile: HostileCase) {
        hostile.check()
    }
}
