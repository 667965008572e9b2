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
}
