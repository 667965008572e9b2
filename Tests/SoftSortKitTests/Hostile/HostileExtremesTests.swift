import Testing
@testable import SoftSortKit

/// Every forward of the API: each operator on each of its paths, by name.
struct Forward: Sendable, CustomTestStringConvertible {
    let name: String
    let run: @Sendable (_ threads: Int?) -> (any RelaxedSortOperator, SoftSortPath)

    var testDescription: String { name }

    static let all: [Forward] = [
        Forward(name: "SoftSort p=1 automatic") { (SoftSort(power: 1, threads: $0), .automatic) },
        Forward(name: "SoftSort p=1.5 dense") { (SoftSort(power: 1.5, threads: $0), .dense) },
        Forward(name: "SoftSort p=2 fused") { (SoftSort(power: 2, threads: $0), .fused) },
        Forward(name: "SoftSort p=1 exact") { (SoftSort(power: 1, threads: $0), .exact) },
        Forward(name: "SoftSort p=2 gauss") { (SoftSort(power: 2, threads: $0), .gauss) },
        Forward(name: "SoftSort p=1 window ranks 2") { (SoftSort(power: 1, threads: $0), .window(.ranks(2))) },
        Forward(name: "SoftSort p=2 window ranks Int.max") { (SoftSort(power: 2, threads: $0), .window(.ranks(Int.max))) },
        Forward(name: "SoftSort p=1 window tolerance") { (SoftSort(power: 1, threads: $0), .window(.tolerance(1e-6))) },
        Forward(name: "NeuralSort dense") { (NeuralSort(threads: $0), .dense) },
        Forward(name: "NeuralSort fused") { (NeuralSort(threads: $0), .fused) },
        Forward(name: "stochastic dense") {
            (SoftSort(threads: $0, perturbation: GumbelPerturbation(samplesPerRow: 2, seed: 3)), .dense)
        },
    ]

    /// The forward of `T` scores through the operator and path.
    func callAsFunction<T: SoftSortScalar>(
        _ scores: [T], batch: Int, count: Int, threads: Int? = nil, workspace: Workspace<T>? = nil
    ) throws(SoftSortError) -> RelaxedPermutation<T> {
        let (op, path) = run(threads)
        return try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
    }
}

/// Every output of a `RelaxedPermutation` and its backward, each run on its
/// own: a typed error is an allowed answer, anything else must be finite
/// (or, where `infinityAllowed`, free of NaN) and of its documented length.
enum EveryOutput {
    /// The problems found: outputs that were not finite or had the wrong
    /// length, or threw something other than a `SoftSortError`.
    static func problems<T: SoftSortScalar>(
        _ r: RelaxedPermutation<T>, callerBatch: Int, infinityAllowed: Bool = false
    ) -> [String] {
        run(r, callerBatch: callerBatch, infinityAllowed: infinityAllowed).problems
    }

    /// The problems found, and how many outputs returned (rather than threw).
    static func run<T: SoftSortScalar>(
        _ r: RelaxedPermutation<T>, callerBatch: Int, infinityAllowed: Bool = false
    ) -> (problems: [String], returned: Int) {
        var returned = 0
        let b = r.batch, n = r.count, m = b * n
        var found: [String] = []
        func check(_ name: String, _ values: [T], _ length: Int) {
            if values.count != length { found.append("\(name): \(values.count) elements, expected \(length)") }
            let bad = infinityAllowed ? values.contains { $0.isNaN } : values.contains { !$0.isFinite }
            if bad { found.append("\(name): not finite") }
        }
        func each(_ name: String, _ body: () throws -> Void) {
            do {
                try body()
                returned += 1
            } catch is SoftSortError {} catch { found.append("\(name): \(error)") }
        }
        let d = 2, values: [T] = EntryPoints.upstream(m * d, seed: 31)
        let callerRows: [T] = EntryPoints.upstream(callerBatch * n, seed: 32)
        each("permutation") {
            let p = r.permutation
            if p.count != m { found.append("permutation: \(p.count) elements") }
        }
        each("matrices") {
            let p = try r.matrices()
            check("matrices", p.values, m * n)
            check("matrices dL/ds", try p.backward(EntryPoints.upstream(m * n, seed: 33)), callerBatch * n)
        }
        each("straight-through") { check("straight-through", try r.matrices(.straightThrough).values, m * n) }
        each("sparseRows") {
            let rows = try r.sparseRows(rows: min(2, n))
            check("sparseRows dL/ds", try rows.backward(EntryPoints.upstream(rows.values.count, seed: 34)), callerBatch * n)
        }
        let products: [(String, () throws -> RelaxedProduct<T>, Int)] = [
            ("apply", { try r.apply(to: values, dimension: d) }, m * d),
            ("applyTransposed", { try r.applyTransposed(to: values, dimension: d) }, m * d),
            ("topK", { try r.topK(min(1, n), of: values, dimension: d) }, b * min(1, n) * d),
            ("quantiles", { try r.quantiles([0, 0.5, 1], of: values, dimension: d) }, b * 3 * d),
        ]
        for (name, make, length) in products {
            each(name) {
                let product = try make()
                check(name, product.values, length)
                let gradient = try product.backward(EntryPoints.upstream(product.values.count, seed: 35))
                check("\(name) dL/ds", gradient.scores, callerBatch * n)
                check("\(name) dL/dV", gradient.values, m * d)
            }
        }
        each("sortedValues") {
            let v = try r.sortedValues()
            check("sortedValues", v.values, m)
            check("sortedValues dL/ds", try v.backward(EntryPoints.upstream(m, seed: 36)), callerBatch * n)
        }
        each("ranks") {
            let v = try r.ranks()
            check("ranks", v.values, m)
            check("ranks dL/ds", try v.backward(EntryPoints.upstream(m, seed: 37)), callerBatch * n)
        }
        each("crossEntropy") {
            let targets = (0..<callerBatch * n).map { $0 % max(n, 1) }
            let loss = try r.crossEntropy(targets: targets)
            check("crossEntropy", [loss.value], 1)
            check("crossEntropy dL/ds", loss.gradient, callerBatch * n)
        }
        each("nearestNeighborLoss") {
            let loss = try r.nearestNeighborLoss(matches: callerRows, k: min(1, n))
            check("kNN", [loss.value], 1)
            check("kNN dL/ds", loss.gradient, callerBatch * n)
        }
        each("logNormalizers") { check("logNormalizers", try r.logNormalizers(), m) }
        return (found, returned)
    }
}

/// Integer arguments at their extremes on every entry point, Float and
/// Double: a typed error naming the argument, checked once before anything
/// is allocated or scheduled, never a trap.
@Suite("Hostile inputs: extreme integers")
struct HostileExtremesTests {
    typealias O = Ordinary

    /// A thread count above `Parallelism.maximumThreadCount` (`3 threads`
    /// overflowed in the scheduler).
    @Test("threads Int.max and maximum + 1: invalidThreadCount on every forward and argsort", arguments: Forward.all)
    func threadsTooMany(_ forward: Forward) {
        for threads in [Int.max, Parallelism.maximumThreadCount + 1] {
            HostileCase("\(forward.name) Float threads \(threads)", .invalidThreadCount(threads)) {
                _ = try forward(O.scores, batch: 2, count: 3, threads: threads)
            }.check()
            HostileCase("\(forward.name) Double threads \(threads)", .invalidThreadCount(threads)) {
                _ = try forward(O.scores.map(Double.init), batch: 2, count: 3, threads: threads)
            }.check()
            HostileCase("argsort threads \(threads)", .invalidThreadCount(threads)) {
                _ = try argsort(O.scores, batch: 2, count: 3, threads: threads)
            }.check()
        }
    }

    /// The largest thread count runs every output (its scratch is per slot,
    /// at most one per row).
    @Test("threads = maximumThreadCount: every output runs, finite", arguments: Forward.all)
    func threadsMaximum(_ forward: Forward) throws {
        let threads = Parallelism.maximumThreadCount
        let f = EveryOutput.run(try forward(O.scores, batch: 2, count: 3, threads: threads), callerBatch: 2)
        #expect(f.problems.isEmpty, "\(f.problems)")
        #expect(f.returned >= 2, "\(f.returned) outputs returned")
        let d = EveryOutput.run(try forward(O.scores.map(Double.init), batch: 2, count: 3, threads: threads), callerBatch: 2)
        #expect(d.problems.isEmpty, "\(d.problems)")
        #expect(d.returned >= 2, "\(d.returned) outputs returned")
        #expect(try argsort(O.scores, batch: 2, count: 3, threads: threads).count == 6)
    }

    /// `batch: 0` with a row length no row can have (the dense `n * n`, the
    /// radix scratch `3 * count`, the gauss state's sizes overflowed).
    @Test("batch 0, count Int.max and 2^32: invalidDimension(count) on every forward and argsort", arguments: Forward.all)
    func hugeRowLength(_ forward: Forward) {
        for count in [Int.max, Int.max / 2, Validation.maximumCount + 1] {
            HostileCase("\(forward.name) Float count \(count)", .invalidDimension(argument: "count", value: count)) {
                _ = try forward([Float](), batch: 0, count: count)
            }.check()
            HostileCase("\(forward.name) Double count \(count)", .invalidDimension(argument: "count", value: count)) {
                _ = try forward([Double](), batch: 0, count: count)
            }.check()
            HostileCase("\(forward.name) batch 1 count \(count)", .invalidDimension(argument: "count", value: count)) {
                _ = try forward([Float](), batch: 1, count: count)
            }.check()
            HostileCase("argsort count \(count)", .invalidDimension(argument: "count", value: count)) {
                _ = try argsort([Double](), batch: 0, count: count)
            }.check()
        }
    }

    /// The longest row length allowed, in an empty batch: every output is
    /// empty or a typed error (the `n^2` outputs overflow: `shapeOverflow`).
    @Test("batch 0, count = maximumCount: every output empty or a typed error", arguments: Forward.all)
    func emptyBatchLongestRows(_ forward: Forward) throws {
        let n = Validation.maximumCount
        let f = try forward([Float](), batch: 0, count: n)
        #expect(EveryOutput.problems(f, callerBatch: 0).isEmpty, "\(EveryOutput.problems(f, callerBatch: 0))")
        let d = try forward([Double](), batch: 0, count: n, workspace: Workspace<Double>())
        #expect(EveryOutput.problems(d, callerBatch: 0).isEmpty, "\(EveryOutput.problems(d, callerBatch: 0))")
        #expect(throws: SoftSortError.shapeOverflow(batch: 0, count: n)) {
            _ = try SoftSort().forward(scores: [Float](), batch: 0, count: n, path: .dense).matrices()
        }
    }

    /// Sample counts: `B k n` overflowing is `shapeOverflow`; one that fits
    /// `Int` but not memory is `insufficientMemory` with the bytes asked for.
    @Test("stochastic sample counts Int.max, Int.max / 4, 2^40: typed errors, Float and Double")
    func sampleCounts() {
        for samples in [Int.max, Int.max / 4] {
            HostileCase("samples \(samples) Float", .shapeOverflow(batch: 2, count: 3)) {
                _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: samples)).forward(scores: O.scores, batch: 2, count: 3)
            }.check()
            HostileCase("samples \(samples) Double", .shapeOverflow(batch: 2, count: 3)) {
                _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: samples))
                    .forward(scores: O.scores.map(Double.init), batch: 2, count: 3, path: .exact)
            }.check()
        }
        for (stride, call) in [
            (4, { _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: 1 << 40)).forward(scores: O.scores, batch: 2, count: 3) }),
            (8, {
                _ = try SoftSort(power: 2, perturbation: GumbelPerturbation(samplesPerRow: 1 << 40))
                    .forward(scores: O.scores.map(Double.init), batch: 2, count: 3, path: .gauss)
            }),
        ] as [(Int, () throws -> Void)] {
            do {
                try call()
                Issue.record("2^40 samples: no error")
            } catch let error as SoftSortError {
                guard case .insufficientMemory(let needed, let available, _) = error else {
                    Issue.record("2^40 samples: \(error)")
                    continue
                }
                #expect(needed == 6 << 40 * stride && available < needed)
            } catch {
                Issue.record("\(error)")
            }
        }
        // With an empty batch nothing is drawn: B k n = 0.
        #expect(throws: Never.self) {
            _ = try SoftSort(perturbation: GumbelPerturbation(samplesPerRow: Int.max)).forward(scores: [Float](), batch: 0, count: 3)
        }
    }

    /// k, rows, dimension, targets and window widths at the ends of `Int`.
    static let selections: [HostileCase] = [Int.max, Int.min].flatMap { x -> [HostileCase] in [
        .init("top-k \(x)", .invalidRowSelection(argument: "k", value: x, count: 3)) { _ = try O.exact.topK(x, of: O.scores) },
        .init("fused top-k \(x)", .invalidRowSelection(argument: "k", value: x, count: 3)) {
            _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .fused).topK(x, of: O.scores)
        },
        .init("gauss kNN k \(x)", .invalidRowSelection(argument: "k", value: x, count: 3)) { _ = try O.gauss.nearestNeighborLoss(matches: O.scores, k: x) },
        .init("fused kNN k \(x)", .invalidRowSelection(argument: "k", value: x, count: 3)) {
            _ = try O.soft(p: 2).forward(scores: O.scores, batch: 2, count: 3, path: .fused).nearestNeighborLoss(matches: O.scores, k: x)
        },
        .init("window kNN k \(x)", .invalidRowSelection(argument: "k", value: x, count: 3)) { _ = try O.window.nearestNeighborLoss(matches: O.scores, k: x) },
        .init("sparse rows \(x)", .invalidRowSelection(argument: "rows", value: x, count: 3)) { _ = try O.window.sparseRows(rows: x) },
        .init("exact target \(x)", .indexOutOfRange(argument: "targets", position: 1, value: x, count: 3)) {
            _ = try O.exact.crossEntropy(targets: [0, x, 2, 0, 1, 2])
        },
        .init("fused target \(x)", .indexOutOfRange(argument: "targets", position: 5, value: x, count: 3)) {
            _ = try NeuralSort().forward(scores: O.scores, batch: 2, count: 3, path: .fused).crossEntropy(targets: [0, 1, 2, 0, 1, x])
        },
        .init("dense dimension \(x)", .invalidDimension(argument: "dimension", value: x)) { _ = try O.dense.apply(to: O.scores, dimension: x) },
        .init("gauss dimension \(x)", .invalidDimension(argument: "dimension", value: x)) { _ = try O.gauss.applyTransposed(to: O.scores, dimension: x) },
        .init("window dimension \(x)", .invalidDimension(argument: "dimension", value: x)) { _ = try O.window.apply(to: O.scores, dimension: x) },
    ] } + [
        // Found by the API fuzzer: with an empty batch B n d is 0, and n d overflowed.
        .init("empty batch, P^T U dimension Int.max", .invalidDimension(argument: "dimension", value: Int.max)) {
            _ = try O.soft().forward(scores: [Float](), batch: 0, count: 3, path: .exact).applyTransposed(to: [], dimension: Int.max)
        },
        .init("empty batch, Double apply dimension Int.max / 2", .invalidDimension(argument: "dimension", value: Int.max / 2)) {
            _ = try O.soft().forward(scores: [Double](), batch: 0, count: 5, path: .fused).apply(to: [], dimension: Int.max / 2)
        },
        // Found by the API fuzzer: rows of no scores, the fused P V's 2 d overflowed.
        .init("empty rows, fused dimension Int.max", .shapeOverflow(batch: 2, count: 0)) {
            _ = try O.soft().forward(scores: [Float](), batch: 2, count: 0, path: .fused).apply(to: [], dimension: Int.max)
        },
        .init("window width Int.min", .invalidWindowWidth(Int.min)) {
            _ = try O.soft().forward(scores: O.scores, batch: 2, count: 3, path: .window(.ranks(Int.min)))
        },
    ]

    @Test("k, rows, dimension, targets, window widths at Int.max and Int.min", arguments: selections)
    func selection(_ hostile: HostileCase) {
        hostile.check()
    }

    /// A window of `Int.max` ranks is the whole row: the outputs of the
    /// window path equal those of a window of `n` ranks, bit for bit.
    @Test("window of Int.max ranks equals a window of count ranks")
    func widestWindow() throws {
        let s: [Double] = EntryPoints.upstream(12, seed: 41)
        let wide = try SoftSort().forward(scores: s, batch: 3, count: 4, path: .window(.ranks(Int.max)))
        let full = try SoftSort().forward(scores: s, batch: 3, count: 4, path: .window(.ranks(4)))
        #expect(try wide.matrices().values == full.matrices().values)
        #expect(try wide.sortedValues().backward(s) == full.sortedValues().backward(s))
    }
}
