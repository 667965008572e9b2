/// The outputs of a `RelaxedPermutation`, as the path choice sees them.
enum OutputKind: String, Sendable, CaseIterable {
    case matrices
    case sparseRows
    /// `P V`, and its rows: top-k and quantiles.
    case product
    /// `P^T U`.
    case transposedProduct
    case sortedValues
    case ranks
    case crossEntropy
    case nearestNeighbors
    case logNormalizers

    /// How messages name the output.
    var name: String {
        switch self {
        case .matrices: return "matrices()"
        case .sparseRows: return "sparseRows(rows:)"
        case .product: return "apply(to:), topK and quantiles"
        case .transposedProduct: return "applyTransposed(to:)"
        case .sortedValues: return "sortedValues()"
        case .ranks: return "ranks()"
        case .crossEntropy: return "crossEntropy(targets:)"
        case .nearestNeighbors: return "nearestNeighborLoss(matches:k:)"
        case .logNormalizers: return "logNormalizers()"
        }
    }
}

extension Plan {
    /// The path that computes `output`: the caller's, or with `.automatic`
    /// the cheapest by `PathCosts`.
    ///
    /// - Throws: `SoftSortError.unsupportedPath` when the path cannot compute
    ///   `output`; the message names one that can.
    func path(for output: OutputKind) throws(SoftSortError) -> SoftSortPath {
        let chosen = path == .automatic ? try automaticPath(for: output) : path
        try Self.require(chosen, covers: output, method: method)
        return chosen
    }

    /// `.automatic`'s choice: the measured cost table among the paths that
    /// cover `output` exactly (never the window, which drops mass).
    private func automaticPath(for output: OutputKind) throws(SoftSortError) -> SoftSortPath {
        switch output {
        case .matrices: return .dense
        case .sparseRows:
            throw .unsupportedPath(path: "automatic", reason: "sparseRows(rows:) needs path: .window(...)")
        default: break
        }
        guard let power else {
            // NeuralSort: its fused path has the cross-entropy only.
            return output == .crossEntropy ? .fused : .dense
        }
        let method = self.method
        let isCandidate = { (path: SoftSortPath) in
            (try? Self.check(path, method: method)) != nil && (try? Self.require(path, covers: output, method: method)) != nil
        }
        guard let first = SoftSortPath.exactCandidates.first(where: isCandidate) else {
            throw .unsupportedPath(
                path: "automatic", reason: "\(output.name) needs p = 1 (.exact) or p = 2 (.gauss)")
        }
        return PathCosts.cheapest(
            where: isCandidate, fallback: first, output: output, power: power, batch: shape.batch, count: shape.count,
            element: T.self == Float.self ? .float : .double, threads: configuration.scheduler.threads)
    }

    /// Whether `path` computes `output` for `method`; the error names a path that does.
    static func require(_ path: SoftSortPath, covers output: OutputKind, method: DenseMethod) throws(SoftSortError) {
        let neural = method == .neuralSort
        let reason: String?
        switch (path, output) {
        case (.automatic, _): reason = nil
        case (.dense, .sparseRows): reason = "the sparse rows are the window path's: use path: .window(...)"
        case (.dense, .logNormalizers):
            reason = "the normalizers are kept by the exact (p = 1) and gauss (p = 2) paths"
        case (.dense, _): reason = nil
        case (.fused, .crossEntropy): reason = nil
        case (.fused, .product), (.fused, .sortedValues), (.fused, .nearestNeighbors):
            reason = neural ? "NeuralSort's fused path has the cross-entropy only: use path: .dense" : nil
        case (.fused, .transposedProduct), (.fused, .ranks):
            reason = "the fused rows give P V, not P^T U: use .exact (p = 1), .gauss (p = 2) or .dense"
        case (.fused, .matrices): reason = "the fused path never stores P: use path: .dense"
        case (.fused, .sparseRows): reason = "the sparse rows are the window path's: use path: .window(...)"
        case (.fused, .logNormalizers): reason = "the normalizers are kept by the exact (p = 1) and gauss (p = 2) paths"
        case (.exact, .matrices), (.gauss, .matrices):
            reason = "this path never forms P: use path: .dense (O(B n^2) memory)"
        case (.exact, .sparseRows), (.gauss, .sparseRows):
            reason = "the sparse rows are the window path's: use path: .window(...)"
        case (.exact, _), (.gauss, _): reason = nil
        case (.window, .crossEntropy):
            reason = "the window drops the entries outside it (log 0): use .exact (p = 1), .gauss (p = 2) or .fused"
        case (.window, .logNormalizers):
            reason = "the window keeps no normalizers: use .exact (p = 1) or .gauss (p = 2)"
        case (.window, _): reason = nil
        }
        if let reason { throw .unsupportedPath(path: path.description, reason: "\(output.name): \(reason)") }
    }
}

extension SoftSortPath {
    /// The paths `.automatic` chooses among, in the order ties go.
    static let exactCandidates: [SoftSortPath] = [.exact, .gauss, .fused, .dense]
}
