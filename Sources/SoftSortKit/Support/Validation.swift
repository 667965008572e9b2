/// The checks every public entry point runs before touching a kernel.
enum Validation {
    /// Checks `batch` and `count` and returns `batch * count * count`.
    static func matrixElementCount(batch: Int, count: Int) throws(SoftSortError) -> Int {
        guard batch >= 0 else { throw .invalidDimension(argument: "batch", value: batch) }
        guard count >= 0 else { throw .invalidDimension(argument: "count", value: count) }
        let (square, o1) = count.multipliedReportingOverflow(by: count)
        let (total, o2) = square.multipliedReportingOverflow(by: batch)
        guard !o1, !o2 else { throw .shapeOverflow(batch: batch, count: count) }
        return total
    }

    /// Checks that `buffer` holds `expected` elements.
    static func size(_ argument: String, _ actual: Int, expected: Int) throws(SoftSortError) {
        guard actual == expected else {
            throw .sizeMismatch(argument: argument, expected: expected, actual: actual)
        }
    }

    /// Checks the shape and that every score is finite.
    static func scores<T: SoftSortScalar>(_ scores: [T], batch: Int, count: Int) throws(SoftSortError) {
        _ = try matrixElementCount(batch: batch, count: count)
        try size("scores", scores.count, expected: batch * count)
        if let bad = firstIndex(in: scores, where: { !$0.isFinite }) {
            throw .nonFiniteScore(row: bad / count, column: bad % count)
        }
    }

    /// The first index whose element satisfies `predicate`. A plain loop over
    /// the buffer: the generic `Collection.firstIndex(where:)`, unspecialized
    /// here, heap-allocates an accessor frame per element.
    static func firstIndex<T>(in values: [T], where predicate: (T) -> Bool) -> Int? {
        values.withUnsafeBufferPointer { buffer in
            var k = 0
            while k < buffer.count {
                if predicate(buffer[k]) { return k }
                k += 1
            }
            return nil
        }
    }

    /// The temperature converted to `T`: it must be finite and `> 0`, and so
    /// must its conversion to `T` and that conversion's reciprocal (kernels
    /// multiply by `1 / tau`).
    static func temperature<T: SoftSortScalar>(_ tau: Double, as _: T.Type) throws(SoftSortError) -> T {
        let converted = T(tau)
        guard tau.isFinite, tau > 0, converted.isFinite, converted > 0, (1 / converted).isFinite else {
            throw .invalidTemperature(tau)
        }
        return converted
    }

    static func power(_ p: Double) throws(SoftSortError) -> DistancePower {
        guard p.isFinite, p > 0 else { throw .invalidPower(p) }
        return DistancePower(p)
    }
}
