import Testing
@testable import SoftSortKit

/// Which path computes which output (`Plan.path(for:)`, `PathChoice.swift`):
/// `.automatic` runs each output on a concrete path, with the bits of that
/// path asked for explicitly; a path that cannot compute an output throws
/// `unsupportedPath`, and its message names a path that can.
@Suite("Path choice")
struct PathChoiceTests {
    typealias Output = (name: String, kind: OutputKind, path: SoftSortPath, arrays: [[UInt64]])

    /// The bits of every output `result` computes (values, then each
    /// gradient), with the path each reports; `names` are `OutputKind`'s.
    static func outputs<T: SoftSortScalar>(
        _ result: RelaxedPermutation<T>, _ input: OutputChecks.Inputs<T>, targets: [Int]
    ) throws -> [Output] {
        let n = result.count, d = OutputChecks.dimension
        let values = (0..<result.batch * n * d).map { T(Double($0 % 5) - 2) }
        func bits(_ x: [T]) -> [UInt64] { x.map(WorkspaceSharing.bits) }
        func product(_ name: String, _ kind: OutputKind, _ p: RelaxedProduct<T>) throws -> Output {
            let gradient = try p.backward(OutputChecks.upstream(p.values.count))
            return (name, kind, p.path, [bits(p.values), bits(gradient.scores), bits(gradient.values)])
        }
        var out: [Output] = []
        for kind in OutputKind.allCases where kind != .sparseRows {
            // What .automatic cannot run is checked by `automaticErrors`.
            guard let path = try? result.path(for: kind.rawValue) else { continue }
            switch kind {
            case .matrices:
                let m = try result.matrices()
                out.append((kind.rawValue, kind, m.path, [bits(m.values), bits(try m.backward(input.matrixGradient))]))
            case .product:
                out.append(try product("apply", kind, result.apply(to: values, dimension: d)))
                out.append(try product("topK", kind, result.topK(OutputChecks.topK(count: n), of: values, dimension: d)))
                if n > 0 {
                    out.append(try product("quantiles", kind, result.quantiles(OutputChecks.levels, of: values, dimension: d)))
                }
            case .transposedProduct:
                out.append(try product("applyTransposed", kind, result.applyTransposed(to: values, dimension: d)))
            case .sortedValues, .ranks:
                let r = kind == .ranks ? try result.ranks() : try result.sortedValues()
                out.append((kind.rawValue, kind, r.path, [bits(r.values), bits(try r.backward(input.rowGradient))]))
            case .crossEntropy:
                let loss = try result.crossEntropy(targets: targets)
                out.append((kind.rawValue, kind, loss.path, [bits([loss.value]), bits(loss.gradient)]))
            case .nearestNeighbors:
                guard n > 0 else { continue }
                let loss = try result.nearestNeighborLoss(matches: input.matches, k: OutputChecks.neighbours(count: n))
                out.append((kind.rawValue, kind, loss.path, [bits([loss.value]), bits(loss.gradient)]))
            case .logNormalizers:
                out.append((kind.rawValue, kind, path, [bits(try result.logNormalizers())]))
            case .sparseRows:
                continue
            }
        }
        return out
    }

    static func checkAutomatic<T: SoftSortScalar>(
        _: T.Type, count n: Int, label: String,
        forward: (_ scores: [T], _ path: SoftSortPath) throws -> RelaxedPermutation<T>
    ) throws {
        let batch = 2, input = OutputChecks.Inputs<T>(batch: batch, count: n, dimension: OutputChecks.dimension, seed: 5)
        var random = TestRandom(seed: 6)
        let targets = (0..<batch).flatMap { _ in random.permutation(n) }
        let automatic = try forward(input.scores, .automatic)
        #expect(automatic.path == .automatic)
        let outputs = try Self.outputs(automatic, input, targets: targets)
        #expect(outputs.count >= 7, "\(label): \(outputs.map(\.name))")
        var explicit: [SoftSortPath: [Output]] = [:]
        for output in outputs {
            #expect(output.path != .automatic, "\(label) \(output.name)")
            if case .window = output.path { Issue.record("\(label) \(output.name): .automatic chose the window") }
            #expect(output.path == (try automatic.path(for: output.kind.rawValue)), "\(label) \(output.name)")
            if explicit[output.path] == nil {
                explicit[output.path] = try Self.outputs(forward(input.scores, output.path), input, targets: targets)
            }
            let same = explicit[output.path]?.first { $0.name == output.name }
            #expect(same?.path == output.path, "\(label) \(output.name)")
            #expect(same?.arrays == output.arrays, "\(label) \(output.name) on \(output.path): not the explicit path's bits")
        }
    }

    @Test(".automatic: every output on a concrete path, with that path's bits", arguments: [1, 8, 33])
    func automatic(count n: Int) throws {
        for power in [1.0, 2.0, 1.5] {
            let op = SoftSort(temperature: 0.5, power: power)
            try Self.checkAutomatic(Double.self, count: n, label: "Double p \(power) n \(n)") { s, path in
                try op.forward(scores: s, batch: 2, count: n, path: path)
            }
            try Self.checkAutomatic(Float.self, count: n, label: "Float p \(power) n \(n)") { s, path in
                try op.forward(scores: s, batch: 2, count: n, path: path)
            }
        }
        let neural = NeuralSort(temperature: 0.5)
        try Self.checkAutomatic(Float.self, count: n, label: "NeuralSort n \(n)") { s, path in
            try neural.forward(scores: s, batch: 2, count: n, path: path)
        }
    }

    @Test(".automatic: the outputs no exact path computes throw, naming the way to them")
    func automaticErrors() throws {
        let s: [Float] = [0.3, -1, 2, 0.5, 0.1, 0.7]
        for power in [1.0, 2.0, 1.5] {
            let result = try SoftSort(power: power).forward(scores: s, batch: 2, count: 3)
            #expect(throws: SoftSortError.unsupportedPath(path: "automatic", reason: "sparseRows(rows:) needs path: .window(...)")) {
                try result.sparseRows()
            }
            #expect(try result.path(for: "bogus") == nil)
        }
        let general = try SoftSort(power: 1.5).forward(scores: s, batch: 2, count: 3)
        #expect(throws: SoftSortError.unsupportedPath(
            path: "automatic", reason: "logNormalizers() needs p = 1 (.exact) or p = 2 (.gauss)")) {
            try general.logNormalizers()
        }
        let neural = try NeuralSort().forward(scores: s, batch: 2, count: 3)
        #expect(throws: SoftSortError.unsupportedPath(
            path: "dense", reason: "logNormalizers(): the normalizers are kept by the exact (p = 1) and gauss (p = 2) paths")) {
            try neural.logNormalizers()
        }
    }

    /// The table's empty cells, through the public API.
    @Test("outputs a path cannot compute throw unsupportedPath naming the path and the output")
    func unsupportedCells() throws {
        let s: [Float] = [0.3, -1, 2, 0.5, 0.1, 0.7], v = [Float](repeating: 1, count: 6)
        func forward(_ op: SoftSort, _ path: SoftSortPath) throws -> RelaxedPermutation<Float> {
            try op.forward(scores: s, batch: 2, count: 3, path: path)
        }
        let transposed = "the fused rows give P V, not P^T U: use .exact (p = 1), .gauss (p = 2) or .dense"
        for power in [1.0, 2.0, 1.5] {
            let fused = try forward(SoftSort(power: power), .fused)
            #expect(throws: SoftSortError.unsupportedPath(path: "fused", reason: "ranks(): " + transposed)) { try fused.ranks() }
            #expect(throws: SoftSortError.unsupportedPath(path: "fused", reason: "applyTransposed(to:): " + transposed)) {
                try fused.applyTransposed(to: v)
            }
            #expect(throws: SoftSortError.unsupportedPath(
                path: "fused", reason: "matrices(): the fused path never stores P: use path: .dense")) { try fused.matrices() }
        }
        let never = "matrices(): this path never forms P: use path: .dense (O(B n^2) memory)"
        let exact = try forward(SoftSort(power: 1), .exact), gauss = try forward(SoftSort(power: 2), .gauss)
        #expect(throws: SoftSortError.unsupportedPath(path: "exact", reason: never)) { try exact.matrices() }
        #expect(throws: SoftSortError.unsupportedPath(path: "gauss", reason: never)) { try gauss.matrices() }
        for window in [SoftSortPath.Window.ranks(1), .tolerance(0.5)] {
            let result = try forward(SoftSort(power: 2), .window(window))
            let name = SoftSortPath.window(window).description
            #expect(throws: SoftSortError.unsupportedPath(path: name, reason: "crossEntropy(targets:): the window drops the entries outside it (log 0): use .exact (p = 1), .gauss (p = 2) or .fused")) {
                try result.crossEntropy(targets: [0, 1, 2, 0, 1, 2])
            }
            #expect(throws: SoftSortError.unsupportedPath(
                path: name, reason: "logNormalizers(): the window keeps no normalizers: use .exact (p = 1) or .gauss (p = 2)")) {
                try result.logNormalizers()
            }
            #expect(throws: SoftSortError.unsupportedPath(path: name, reason: "straight-through matrices are the dense path's")) {
                try result.matrices(.straightThrough)
            }
        }
        // The forward checks the path itself: NeuralSort's paths, the exact and gauss paths' powers.
        for path in [SoftSortPath.exact, .gauss, .window(.ranks(2)), .window(.tolerance(0.1))] {
            #expect(throws: SoftSortError.unsupportedPath(
                path: path.description, reason: "NeuralSort runs on the dense and fused paths only")) {
                try NeuralSort().forward(scores: s, batch: 2, count: 3, path: path)
            }
        }
        let neuralFused = try NeuralSort().forward(scores: s, batch: 2, count: 3, path: .fused)
        #expect(throws: SoftSortError.unsupportedPath(
            path: "fused", reason: "apply(to:), topK and quantiles: NeuralSort's fused path has the cross-entropy only: use path: .dense")) {
            try neuralFused.apply(to: v)
        }
        for power in [2.0, 1.5] {
            #expect(throws: SoftSortError.unsupportedPath(
                path: "exact", reason: "the exact scans need p = 1; use .gauss for p = 2, else .fused")) {
                try forward(SoftSort(power: power), .exact)
            }
        }
        for power in [1.0, 1.5] {
            #expect(throws: SoftSortError.unsupportedPath(
                path: "gauss", reason: "the Gauss transform needs p = 2; use .exact for p = 1, else .fused")) {
                try forward(SoftSort(power: power), .gauss)
            }
        }
    }

    /// Every empty cell of the table, for every SoftSort power and NeuralSort:
    /// where a path the operator runs computes the output, the message names
    /// one, and every path it suggests without a condition (`.dense`, not
    /// `.exact (p = 1)`) computes it; where none does, it names the power
    /// that would. (NeuralSort has neither sparse rows nor normalizers: its
    /// forward rejects the paths that have them, and says so.)
    @Test("every unsupportedPath message names a path that computes the output")
    func messagesNameAWay() {
        let methods: [DenseMethod] = [.softSort(.one), .softSort(.two), .softSort(.general(1.5)), .neuralSort]
        let paths: [SoftSortPath] = [.dense, .fused, .exact, .gauss, .window(.ranks(1))]
        let names: [(String, SoftSortPath)] = [
            ("dense", .dense), ("fused", .fused), ("exact", .exact), ("gauss", .gauss), ("window", .window(.ranks(1))),
        ]
        for method in methods {
            func computes(_ path: SoftSortPath, _ output: OutputKind) -> Bool {
                (try? Plan<Float>.check(path, method: method)) != nil
                    && (try? Plan<Float>.require(path, covers: output, method: method)) != nil
            }
            for path in paths where (try? Plan<Float>.check(path, method: method)) != nil {
                for output in OutputKind.allCases {
                    do throws(SoftSortError) {
                        try Plan<Float>.require(path, covers: output, method: method)
                    } catch {
                        guard case .unsupportedPath(let name, let reason) = error else {
                            Issue.record("\(method) \(path) \(output): \(error)")
                            continue
                        }
                        #expect(name == path.description)
                        let label = "\(method) \(path) \(output): \"\(reason)\""
                        let text = String(reason.dropFirst(output.name.count))
                        // Suggestions are written `.dense`; a sentence may name a path as a plain word.
                        let suggested = names.filter { text.contains("." + $0.0) }
                        let named = suggested.isEmpty ? names.filter { text.contains($0.0) } : suggested
                        if paths.contains(where: { computes($0, output) }) {
                            #expect(named.contains { computes($0.1, output) }, "\(label) names no path that computes it")
                            for (word, suggestion) in suggested {
                                let conditioned = text.contains(".\(word) (p = ")
                                #expect(conditioned || computes(suggestion, output), "\(label) suggests .\(word)")
                            }
                        } else if method != .neuralSort {
                            #expect(text.contains("p = 1") || text.contains("p = 2"), "\(label) names no power")
                        }
                    }
                }
            }
        }
    }
}
