import Testing
@testable import SoftSortKit

/// Every input array (scores, values, matches, targets, upstream gradients)
/// of every entry point, and every parameter, is checked with one policy: a
/// typed error naming the argument (and, for arrays, the batch row and column).
/// The scores, the operator's parameters and the path are the forward's to
/// check; the other inputs are the output's.
@Suite("Hostile inputs: typed errors")
struct HostileValidationTests {
    typealias O = Ordinary

    /// Non-finite entries of every input array, on every path.
    static let nonFiniteInputs: [HostileCase] = [
        .init("dense scores NaN", .nonFiniteScore(row: 1, column: 2)) { _ = try O.soft().forward(scores: O.ones(6, at: 5), batch: 2, count: 3, path: .dense) },
        .init("dense scores +inf", .nonFiniteScore(row: 0, column: 1)) { _ = try O.soft().forward(scores: O.ones(6, .infinity, at: 1), batch: 2, count: 3, path: .dense) },
        .init("NeuralSort scores -inf", .nonFiniteScore(row: 1, column: 0)) { _ = try NeuralSort().forward(scores: O.ones(6, -.infinity, at: 3), batch: 2, count: 3) },
        .init("exact scores NaN", .nonFiniteScore(row: 0, column: 0)) { _ = try O.soft().forward(scores: O.ones(6, at: 0), batch: 2, count: 3, path: .exact) },
        .init("gauss scores NaN", .nonFiniteScore(row: 1, column: 1)) { _ = try O.soft(p: 2).forward(scores: O.ones(6, at: 4), batch: 2, count: 3, path: .gauss) },
        .init("windowed scores NaN", .nonFiniteScore(row: 1, column: 1)) { _ = try O.soft().forward(scores: O.ones(6, at: 4), batch: 2, count: 3, path: .window(.ranks(1))) },
        .init("stochastic scores inf", .nonFiniteScore(row: 0, column: 2)) {
            _ = try SoftSort(perturbation: GumbelPerturbation()).forward(scores: O.ones(6, .infinity, at: 2), batch: 2, count: 3)
        },
        .init("argsort scores NaN", .nonFiniteScore(row: 1, column: 2)) { _ = try argsort(O.ones(6, at: 5), batch: 2, count: 3) },
        .init("fused values NaN", .nonFiniteInput(argument: "values", row: 1, column: 3)) {
            _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .fused).apply(to: O.ones(12, at: 9), dimension: 2)
        },
        .init("dense P^T U values NaN", .nonFiniteInput(argument: "values", row: 0, column: 2)) { _ = try O.dense.applyTransposed(to: O.ones(6, at: 2)) },
        .init("exact apply values inf", .nonFiniteInput(argument: "values", row: 0, column: 1)) { _ = try O.exact.apply(to: O.ones(6, .infinity, at: 1)) },
        .init("exact P^T U values NaN", .nonFiniteInput(argument: "values", row: 1, column: 0)) { _ = try O.exact.applyTransposed(to: O.ones(6, at: 3)) },
        .init("exact top-k values NaN", .nonFiniteInput(argument: "values", row: 0, column: 2)) { _ = try O.exact.topK(2, of: O.ones(6, at: 2)) },
        .init("exact quantile values NaN", .nonFiniteInput(argument: "values", row: 1, column: 2)) { _ = try O.exact.quantiles([0.5], of: O.ones(6, at: 5)) },
        .init("gauss apply values NaN", .nonFiniteInput(argument: "values", row: 1, column: 1)) { _ = try O.gauss.apply(to: O.ones(6, at: 4)) },
        .init("gauss P^T U values inf", .nonFiniteInput(argument: "values", row: 0, column: 0)) { _ = try O.gauss.applyTransposed(to: O.ones(6, .infinity, at: 0)) },
        .init("window apply values NaN", .nonFiniteInput(argument: "values", row: 1, column: 2)) { _ = try O.window.apply(to: O.ones(6, at: 5)) },
        .init("kNN matches NaN", .nonFiniteInput(argument: "matches", row: 1, column: 1)) { _ = try O.exact.nearestNeighborLoss(matches: O.ones(6, at: 4), k: 1) },
        .init("gauss kNN matches NaN", .nonFiniteInput(argument: "matches", row: 1, column: 0)) { _ = try O.gauss.nearestNeighborLoss(matches: O.ones(6, at: 3), k: 1) },
        .init("dense dL/dP NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 7)) { _ = try O.denseMatrices.backward(O.ones(18, at: 16)) },
        .init("dense dL/dP -inf", .nonFiniteInput(argument: "gradient", row: 0, column: 0)) { _ = try O.denseMatrices.backward(O.ones(18, -.infinity, at: 0)) },
        .init("window dL/dP NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 1)) { _ = try O.window.matrices().backward(O.ones(18, at: 10)) },
        .init("NeuralSort dL/dP NaN", .nonFiniteInput(argument: "gradient", row: 0, column: 4)) { _ = try O.neural.backward(O.ones(18, at: 4)) },
        .init("stochastic dL/dP NaN", .nonFiniteInput(argument: "gradient", row: 3, column: 8)) { _ = try O.stochastic.backward(O.ones(36, at: 35)) },
        .init("dense d(P s) NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 1)) { _ = try O.dense.sortedValues().backward(O.ones(6, at: 4)) },
        .init("fused d(P s) NaN", .nonFiniteInput(argument: "gradient", row: 0, column: 1)) {
            _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .fused).sortedValues().backward(O.ones(6, at: 1))
        },
        .init("exact d(P s) NaN", .nonFiniteInput(argument: "gradient", row: 0, column: 1)) { _ = try O.exact.sortedValues().backward(O.ones(6, at: 1)) },
        .init("exact d ranks inf", .nonFiniteInput(argument: "gradient", row: 1, column: 2)) { _ = try O.exact.ranks().backward(O.ones(6, .infinity, at: 5)) },
        .init("window d ranks NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 0)) { _ = try O.window.ranks().backward(O.ones(6, at: 3)) },
        .init("exact d(P V) NaN", .nonFiniteInput(argument: "gradient", row: 0, column: 2)) { _ = try O.exact.apply(to: O.ones(6, 1, at: 0)).backward(O.ones(6, at: 2)) },
        .init("gauss d(P^T U) NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 1)) {
            _ = try O.gauss.applyTransposed(to: O.ones(6, 1, at: 0)).backward(O.ones(6, at: 4))
        },
        .init("exact top-k gradient NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 0)) { _ = try O.exact.topK(1, of: O.ones(6, 1, at: 0)).backward(O.ones(2, at: 1)) },
        .init("fused dL/dY NaN", .nonFiniteInput(argument: "gradient", row: 1, column: 5)) { _ = try O.fused.backward(O.ones(12, at: 11)) },
        .init("fused loss scores NaN", .nonFiniteScore(row: 1, column: 0)) {
            _ = try O.soft(p: 2).forward(scores: O.ones(6, at: 3), batch: 2, count: 3, path: .fused).crossEntropy(targets: [0, 1, 2, 0, 1, 2])
        },
        .init("NeuralSort loss scores inf", .nonFiniteScore(row: 0, column: 2)) {
            _ = try NeuralSort().forward(scores: O.ones(6, .infinity, at: 2), batch: 2, count: 3).crossEntropy(targets: [0, 1, 2, 0, 1, 2])
        },
        .init("fused kNN matches NaN", .nonFiniteInput(argument: "matches", row: 1, column: 2)) {
            _ = try O.soft(p: 2).forward(scores: O.scores, batch: 2, count: 3, path: .fused).nearestNeighborLoss(matches: O.ones(6, at: 5), k: 1)
        },
        .init("windowed gradient NaN", .nonFiniteInput(argument: "gradient", row: 3, column: 1)) {
            let w = try O.windowed
            _ = try w.backward(O.ones(w.values.count, at: w.rowOffsets[3] + 1))
        },
    ]

    @Test("non-finite scores, values, matches and upstream gradients", arguments: nonFiniteInputs)
    func nonFiniteInput(_ hostile: HostileCase) {
        hostile.check()
    }

    /// Temperatures, powers and the other real parameters, on every path.
    static let temperatures: [HostileCase] = [0.0, -1, .nan, .infinity, -.infinity, 1e-45, 1e-50, 1e50].flatMap { tau -> [HostileCase] in [
        HostileCase("SoftSort tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("fused tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau).forward(scores: O.scores, batch: 2, count: 3, path: .fused) },
        HostileCase("NeuralSort tau \(tau)", .invalidTemperature(tau)) { _ = try NeuralSort(temperature: tau).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("exact tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau).forward(scores: O.scores, batch: 2, count: 3, path: .exact) },
        HostileCase("gauss tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau, p: 2).forward(scores: O.scores, batch: 2, count: 3, path: .gauss) },
        HostileCase("windowed tau \(tau)", .invalidTemperature(tau)) { _ = try O.soft(tau: tau).forward(scores: O.scores, batch: 2, count: 3, path: .window(.ranks(1))) },
        HostileCase("stochastic tau \(tau)", .invalidTemperature(tau)) {
            _ = try SoftSort(temperature: tau, perturbation: GumbelPerturbation()).forward(scores: O.scores, batch: 2, count: 3)
        },
        HostileCase("loss tau \(tau)", .invalidTemperature(tau)) {
            _ = try O.soft(tau: tau, p: 2).forward(scores: O.scores, batch: 2, count: 3).crossEntropy(targets: [0, 1, 2, 0, 1, 2])
        },
    ] }

    static let powers: [HostileCase] = [0.0, -2, .nan, .infinity, -.infinity].flatMap { p -> [HostileCase] in [
        HostileCase("SoftSort p \(p)", .invalidPower(p)) { _ = try O.soft(p: p).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("fused p \(p)", .invalidPower(p)) { _ = try O.soft(p: p).forward(scores: O.scores, batch: 2, count: 3, path: .fused) },
        HostileCase("windowed p \(p)", .invalidPower(p)) { _ = try O.soft(p: p).forward(scores: O.scores, batch: 2, count: 3, path: .window(.ranks(1))) },
        HostileCase("loss p \(p)", .invalidPower(p)) {
            _ = try O.soft(p: p).forward(scores: O.scores, batch: 2, count: 3).nearestNeighborLoss(matches: O.scores, k: 1)
        },
        HostileCase("stochastic p \(p)", .invalidPower(p)) {
            _ = try SoftSort(power: p, perturbation: GumbelPerturbation()).forward(scores: O.scores, batch: 2, count: 3)
        },
    ] }

    static let levels: [HostileCase] = [-0.1, 1.5, .nan, .infinity].map { q -> HostileCase in
        HostileCase("quantile q \(q)", .invalidArgument(name: "q", value: q)) { _ = try O.exact.quantiles([q], of: O.scores) }
    } + [0.0, 1, -1, .nan, 2].map { t -> HostileCase in
        HostileCase("window tolerance \(t)", .invalidArgument(name: "tolerance", value: t)) {
            _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .window(.tolerance(t)))
        }
    } + [0.0, 1e-17, 0.1, .nan, .infinity].map { epsilon -> HostileCase in
        HostileCase("gauss accuracy \(epsilon)", .invalidArgument(name: "accuracy", value: epsilon)) {
            _ = try SoftSort(power: 2, accuracy: epsilon).forward(scores: O.scores, batch: 2, count: 3, path: .gauss)
        }
    }

    @Test("temperatures, powers, quantile levels, window tolerances, gauss accuracies", arguments: temperatures + powers + levels)
    func parameter(_ hostile: HostileCase) {
        hostile.check()
    }

    /// Shapes, sizes, indices and counts.
    static let shapes: [HostileCase] = [
        .init("negative batch", .invalidDimension(argument: "batch", value: -1)) { _ = try O.soft().forward(scores: [Float](), batch: -1, count: 3) },
        .init("negative count", .invalidDimension(argument: "count", value: -3)) { _ = try O.soft().forward(scores: [Float](), batch: 2, count: -3, path: .exact) },
        .init("negative dimension", .invalidDimension(argument: "dimension", value: -2)) {
            _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .fused).apply(to: [Float](), dimension: -2)
        },
        .init("exact dimension 0", .invalidDimension(argument: "dimension", value: 0)) { _ = try O.exact.apply(to: [Float](), dimension: 0) },
        // B n^2 and B n d overflow only with more scores than memory holds: the
        // forward's own B n check, and values whose B n d overflows.
        .init("dense B n overflows", .shapeOverflow(batch: 1 << 40, count: 1 << 24)) { _ = try O.soft().forward(scores: [Float](), batch: 1 << 40, count: 1 << 24, path: .dense) },
        .init("NeuralSort B n overflows", .shapeOverflow(batch: 1 << 32, count: 1 << 31)) { _ = try NeuralSort().forward(scores: [Float](), batch: 1 << 32, count: 1 << 31) },
        .init("exact B n overflows", .shapeOverflow(batch: Int.max, count: 2)) { _ = try O.soft().forward(scores: [Float](), batch: Int.max, count: 2, path: .exact) },
        .init("B n d overflows", .invalidDimension(argument: "dimension", value: 1 << 62)) {
            _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .fused).apply(to: [Float](), dimension: 1 << 62)
        },
        .init("stochastic B k overflows", .shapeOverflow(batch: 2, count: 3)) {
            _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: Int.max)).forward(scores: O.scores, batch: 2, count: 3)
        },
        .init("scores too short", .sizeMismatch(argument: "scores", expected: 6, actual: 5)) { _ = try NeuralSort().forward(scores: [Float](repeating: 0, count: 5), batch: 2, count: 3) },
        .init("values too long", .sizeMismatch(argument: "values", expected: 6, actual: 7)) { _ = try O.exact.apply(to: [Float](repeating: 0, count: 7)) },
        .init("dL/dP too short", .sizeMismatch(argument: "gradient", expected: 18, actual: 17)) { _ = try O.denseMatrices.backward([Float](repeating: 0, count: 17)) },
        .init("fused gradient too short", .sizeMismatch(argument: "gradient", expected: 12, actual: 6)) { _ = try O.fused.backward([Float](repeating: 0, count: 6)) },
        .init("windowed gradient too long", .sizeMismatch(argument: "gradient", expected: 10, actual: 11)) { _ = try O.windowed.backward([Float](repeating: 0, count: 11)) },
        .init("targets too short", .sizeMismatch(argument: "targets", expected: 6, actual: 3)) { _ = try O.exact.crossEntropy(targets: [0, 1, 2]) },
        .init("target 3 of n = 3", .indexOutOfRange(argument: "targets", position: 4, value: 3, count: 3)) { _ = try O.exact.crossEntropy(targets: [0, 1, 2, 0, 3, 1]) },
        .init("target -1", .indexOutOfRange(argument: "targets", position: 0, value: -1, count: 3)) { _ = try O.exact.crossEntropy(targets: [-1, 1, 2, 0, 1, 2]) },
        .init("gauss target 3", .indexOutOfRange(argument: "targets", position: 2, value: 3, count: 3)) { _ = try O.gauss.crossEntropy(targets: [0, 1, 3, 0, 1, 2]) },
        .init("fused loss target 5", .indexOutOfRange(argument: "targets", position: 1, value: 5, count: 3)) {
            _ = try O.soft(p: 2).forward(scores: O.scores, batch: 2, count: 3, path: .fused).crossEntropy(targets: [0, 5, 2, 0, 1, 2])
        },
        .init("dense loss target -2", .indexOutOfRange(argument: "targets", position: 5, value: -2, count: 3)) {
            _ = try NeuralSort().forward(scores: O.scores, batch: 2, count: 3, path: .dense).crossEntropy(targets: [0, 1, 2, 0, 1, -2])
        },
        .init("exact path with p = 2", .unsupportedPath(path: "exact", reason: "the exact scans need p = 1; use .gauss for p = 2, else .fused")) {
            _ = try O.soft(p: 2).forward(scores: O.scores, batch: 2, count: 3, path: .exact)
        },
        .init("fused kNN k 4 of 3", .invalidRowSelection(argument: "k", value: 4, count: 3)) {
            _ = try O.soft(p: 2).forward(scores: O.scores, batch: 2, count: 3, path: .fused).nearestNeighborLoss(matches: O.scores, k: 4)
        },
        .init("top-k 4 of 3", .invalidRowSelection(argument: "k", value: 4, count: 3)) { _ = try O.exact.topK(4, of: O.scores) },
        .init("top-k -1", .invalidRowSelection(argument: "k", value: -1, count: 3)) { _ = try O.exact.topK(-1, of: O.scores) },
        .init("kNN k 0", .invalidRowSelection(argument: "k", value: 0, count: 3)) { _ = try O.exact.nearestNeighborLoss(matches: O.scores, k: 0) },
        .init("kNN k 4 of 3", .invalidRowSelection(argument: "k", value: 4, count: 3)) { _ = try O.exact.nearestNeighborLoss(matches: O.scores, k: 4) },
        .init("quantile of n = 0", .invalidRowSelection(argument: "quantile rows", value: 1, count: 0)) {
            _ = try O.soft().forward(scores: [Float](), batch: 2, count: 0, path: .exact).quantiles([0.5], of: [Float]())
        },
        .init("windowed rows 9 of n = 4 (was clamped)", .invalidRowSelection(argument: "rows", value: 9, count: 4)) {
            _ = try O.soft().forward(scores: [Float](repeating: 0, count: 4), batch: 1, count: 4, path: .window(.ranks(1))).sparseRows(rows: 9)
        },
        .init("windowed rows -1", .invalidRowSelection(argument: "rows", value: -1, count: 3)) { _ = try O.window.sparseRows(rows: -1) },
        .init("window width -1", .invalidWindowWidth(-1)) { _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .window(.ranks(-1))) },
        .init("samples 0", .invalidSampleCount(0)) { _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: 0)).forward(scores: O.scores, batch: 2, count: 3) },
        .init("samples -5", .invalidSampleCount(-5)) { _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: -5)).forward(scores: O.scores, batch: 2, count: 3) },
        .init("positive kind, score 0", .nonPositiveScore(row: 1, column: 2)) {
            _ = try SoftSort(perturbation: GumbelPerturbation(scoreKind: .positive)).forward(scores: O.ones(6, 0, at: 5), batch: 2, count: 3)
        },
        .init("positive kind, score -1", .nonPositiveScore(row: 0, column: 0)) {
            _ = try SoftSort(perturbation: GumbelPerturbation(scoreKind: .positive)).forward(scores: O.ones(6, -1, at: 0), batch: 2, count: 3)
        },
        .init("positive kind, -0", .nonPositiveScore(row: 0, column: 1)) {
            _ = try SoftSort(perturbation: GumbelPerturbation(scoreKind: .positive)).forward(scores: O.ones(6, -0.0, at: 1), batch: 2, count: 3)
        },
    ]

    /// Thread counts below 1 on every path (1000 runs: `HostileRuntimeTests`).
    static let threadCounts: [HostileCase] = [0, -1, Int.min].flatMap { threads -> [HostileCase] in [
        HostileCase("SoftSort threads \(threads)", .invalidThreadCount(threads)) { _ = try O.soft(threads: threads).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("NeuralSort threads \(threads)", .invalidThreadCount(threads)) { _ = try NeuralSort(threads: threads).forward(scores: O.scores, batch: 2, count: 3) },
        HostileCase("exact threads \(threads)", .invalidThreadCount(threads)) { _ = try O.soft(threads: threads).forward(scores: O.scores, batch: 2, count: 3, path: .exact) },
        HostileCase("gauss threads \(threads)", .invalidThreadCount(threads)) {
            _ = try O.soft(p: 2, threads: threads).forward(scores: O.scores, batch: 2, count: 3, path: .gauss)
        },
        HostileCase("windowed threads \(threads)", .invalidThreadCount(threads)) {
            _ = try O.soft(threads: threads).forward(scores: O.scores, batch: 2, count: 3, path: .window(.ranks(1)))
        },
        HostileCase("fused threads \(threads)", .invalidThreadCount(threads)) { _ = try O.soft(threads: threads).forward(scores: O.scores, batch: 2, count: 3, path: .fused) },
        HostileCase("loss threads \(threads)", .invalidThreadCount(threads)) {
            _ = try O.soft(threads: threads).forward(scores: O.scores, batch: 2, count: 3).crossEntropy(targets: [0, 1, 2, 0, 1, 2])
        },
        HostileCase("argsort threads \(threads)", .invalidThreadCount(threads)) { _ = try argsort(O.scores, batch: 2, count: 3, threads: threads) },
    ] }

    @Test("shapes, sizes, targets, k, q, windows, sample counts, positive scores, thread counts", arguments: shapes + threadCounts)
    func shape(_ hostile: HostileCase) {
        hostile.check()
    }
}
