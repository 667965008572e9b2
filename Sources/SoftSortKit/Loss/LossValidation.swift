extension Validation {
    /// Checks `targets`: `batch x count` columns, each in `0 ..< count`.
    static func targets(_ targets: [Int], shape: BatchShape) throws(SoftSortError) {
        try size("targets", targets.count, expected: shape.elements)
        // One branch-free pass (a negative column is a huge unsigned one),
        // then a search only when some column is out of range.
        let limit = UInt(shape.count)
        let outOfRange: Bool = targets.withUnsafeBufferPointer { buffer in
            var any: UInt = 0
            for t in buffer { any |= UInt(bitPattern: t) >= limit ? 1 : 0 }
            return any != 0
        }
        guard outOfRange else { return }
        if let bad = firstIndex(in: targets, where: { $0 < 0 || $0 >= shape.count }) {
            throw .indexOutOfRange(argument: "targets", position: bad, value: targets[bad], count: shape.count)
        }
    }

    /// The path a SoftSort loss runs: `.automatic` is `.exact` for `p = 1`,
    /// `.gauss` for `p = 2` (where `gauss` allows it: the cross-entropy),
    /// `.fused` otherwise; `.exact` needs `p = 1`, `.gauss` `p = 2` and `gauss`.
    static func softSortPath(
        _ path: LossPath, power: DistancePower, gauss: Bool = false
    ) throws(SoftSortError) -> LossPath {
        switch path {
        case .automatic: return power == .one ? .exact : power == .two && gauss ? .gauss : .fused
        case .gauss:
            guard power == .two, gauss else {
                throw .unsupportedPath(
                    path: path.rawValue, reason: "the Gauss transform runs the SoftSort p = 2 cross-entropy only")
            }
            return .gauss
        case .exact:
            guard power == .one else {
                throw .unsupportedPath(path: path.rawValue, reason: "the exact scans need SoftSort with power 1")
            }
            return .exact
        case .dense, .fused: return path
        }
    }

    /// The path a NeuralSort loss runs: `.automatic` is `.fused`; there is no `.exact` or `.gauss`.
    static func neuralSortPath(_ path: LossPath) throws(SoftSortError) -> LossPath {
        switch path {
        case .automatic: return .fused
        case .exact, .gauss:
            throw .unsupportedPath(path: path.rawValue, reason: "NeuralSort has the dense and fused paths only")
        case .dense, .fused: return path
        }
    }

    /// The footprint a loss path's shape check uses: `B n^2` for `.dense`.
    static func footprint(of path: LossPath) -> Footprint {
        path == .dense ? .matrices : .rows
    }
}
