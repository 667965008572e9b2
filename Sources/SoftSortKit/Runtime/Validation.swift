/// A batch of score rows that passed `Validation.batch`.
struct BatchShape: Sendable, Equatable {
    /// The number of rows `B >= 0`.
    let batch: Int
    /// The row length `n >= 0`.
    let count: Int
    /// `B n`.
    var elements: Int { batch * count }
}

/// The elements an operator holds per batch, for the overflow check.
enum Footprint {
    /// `B n`: the exact and windowed paths, argsort.
    case rows
    /// `B n^2`: the dense matrices.
    case matrices
    /// `B n d`: a fused product with values of width `d`.
    case values(dimension: Int)
}

/// The checks every operator runs before touching a kernel: one entry for a
/// batch of scores, and one for each further buffer.
enum Validation {
    /// The longest row, `2^32 - 1` scores: the sorts index a row with
    /// `UInt32`. A longer `count` is `invalidDimension(argument: "count")`.
    static let maximumCount = Int(UInt32.max)

    /// Checks a batch: `batch >= 0`, `0 <= count <= maximumCount`, what the
    /// operator holds fits in `Int`, `scores.count == batch * count`, every
    /// score finite.
    static func batch<T: SoftSortScalar>(
        _ scores: [T], batch: Int, count: Int, footprint: Footprint
    ) throws(SoftSortError) -> BatchShape {
        guard batch >= 0 else { throw .invalidDimension(argument: "batch", value: batch) }
        guard count >= 0, count <= maximumCount else { throw .invalidDimension(argument: "count", value: count) }
        try self.footprint(BatchShape(batch: batch, count: count), footprint)
        try size("scores", scores.count, expected: batch * count)
        // Rows of no scores hold nothing of the caller's, but the paths keep
        // per-row state (orders, normalizers, partial sums): 16 bytes a row.
        if count == 0 {
            try MemoryBudget.require(
                MemoryBudget.product(batch, 2), of: Int.self, alternative: "fewer empty rows per call")
        }
        if let bad = firstNonFinite(scores) {
            throw .nonFiniteScore(row: bad / count, column: bad % count)
        }
        return BatchShape(batch: batch, count: count)
    }

    /// The most bytes any path keeps per element of its footprint, scratch
    /// included (the exact path's `12 n + 6144` words per row is the largest):
    /// the footprint check counts in these, so that every size a path derives
    /// from the shape (`3 n`, `12 n` words, their bytes) is in range.
    static let bytesPerElement = 256

    /// Checks that what an operator holds for `shape`, in bytes
    /// (`bytesPerElement` each), fits in `Int`: the one overflow check of
    /// every product of the shape. An empty batch counts as one row and an
    /// empty row as one element, so that the per-row sizes of a path (and
    /// `d` alone) are checked too.
    static func footprint(_ shape: BatchShape, _ footprint: Footprint) throws(SoftSortError) {
        let (rows, o1) = max(shape.batch, 1).multipliedReportingOverflow(by: max(shape.count, 1))
        let width: Int
        switch footprint {
        case .rows: width = 1
        case .matrices: width = shape.count
        case .values(let d):
            guard d >= 0 else { throw .invalidDimension(argument: "dimension", value: d) }
            width = d
        }
        let (elements, o2) = rows.multipliedReportingOverflow(by: width)
        let (_, o3) = elements.multipliedReportingOverflow(by: bytesPerElement)
        guard !o1, !o2, !o3 else { throw .shapeOverflow(batch: shape.batch, count: shape.count) }
    }

    /// Checks that a buffer holds `expected` elements.
    static func size(_ argument: String, _ actual: Int, expected: Int) throws(SoftSortError) {
        guard actual == expected else {
            throw .sizeMismatch(argument: argument, expected: expected, actual: actual)
        }
    }

    /// Checks `dimension >= minimum` and that `argument` holds `batch x count
    /// x dimension` elements, every one finite (`nonFiniteInput` names the
    /// batch row and the index within its `count x dimension` block).
    static func matrix<T: SoftSortScalar>(
        _ argument: String, _ values: [T], shape: BatchShape, dimension: Int, minimumDimension: Int = 1
    ) throws(SoftSortError) {
        guard dimension >= minimumDimension else { throw .invalidDimension(argument: "dimension", value: dimension) }
        let (expected, overflow) = shape.elements.multipliedReportingOverflow(by: dimension)
        // n d too: with an empty batch B n d is 0 whatever d is.
        let (rowLength, rowOverflow) = shape.count.multipliedReportingOverflow(by: dimension)
        guard !overflow, !rowOverflow else { throw .invalidDimension(argument: "dimension", value: dimension) }
        try size(argument, values.count, expected: expected)
        try finite(argument, values, rowLength: rowLength)
    }

    /// Checks that every element of `values` is finite; the first that is
    /// not is reported as batch row `index / rowLength`, column `index %
    /// rowLength`.
    static func finite<T: SoftSortScalar>(_ argument: String, _ values: [T], rowLength: Int) throws(SoftSortError) {
        if let bad = firstNonFinite(values) {
            throw .nonFiniteInput(argument: argument, row: bad / max(rowLength, 1), column: bad % max(rowLength, 1))
        }
    }

    /// The policy for an upstream gradient too large to check in full (`dL/dP`,
    /// `B n^2`): the `O(B n)` result is checked instead, and only when it is
    /// not finite is the cause looked for in `gradient`, reported as
    /// `nonFiniteInput`. A result that is not finite from a finite gradient
    /// (a true `dL/ds` beyond `T`'s range) is returned as it is.
    static func resultOfLargeGradient<T: SoftSortScalar>(
        _ result: [T], gradient: [T], argument: String, rowLength: Int
    ) throws(SoftSortError) -> [T] {
        guard firstNonFinite(result) != nil else { return result }
        try finite(argument, gradient, rowLength: rowLength)
        return result
    }

    /// The index of the first infinite or NaN element. One pass that adds
    /// `x * 0` (0 for a finite `x`, NaN otherwise) into four sums, then a
    /// search only when a sum is NaN.
    /// Specialized for the two element types: the API's generic entry points
    /// are not, and an unspecialized element loop costs a witness call per element.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func firstNonFinite<T: SoftSortScalar>(_ values: [T]) -> Int? {
        let clean: Bool = values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            let raw = UnsafeRawPointer(base), n = buffer.count
            // Two vectors of sums: independent chains of vector adds.
            var a = SIMD8<T>(repeating: 0), b = SIMD8<T>(repeating: 0)
            var k = 0
            while k + 16 <= n {
                a += raw.loadUnaligned(fromByteOffset: k * MemoryLayout<T>.stride, as: SIMD8<T>.self) * 0
                b += raw.loadUnaligned(fromByteOffset: (k + 8) * MemoryLayout<T>.stride, as: SIMD8<T>.self) * 0
                k += 16
            }
            var tail: T = 0
            while k < n {
                tail += base[k] * 0
                k += 1
            }
            return (a + b).sum() + tail == 0
        }
        return clean ? nil : firstIndex(in: values, where: { !$0.isFinite })
    }

    /// Checks that `k` rows can be taken from rows of `count`: `0 ... count`
    /// (`minimum` 0) or `1 ... count` (`minimum` 1).
    static func rowSelection(_ argument: String, _ k: Int, count: Int, minimum: Int = 0) throws(SoftSortError) {
        guard k >= minimum, k <= count else { throw .invalidRowSelection(argument: argument, value: k, count: count) }
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

    /// The power `p > 0`, finite.
    static func power(_ p: Double) throws(SoftSortError) -> DistancePower {
        guard p.isFinite, p > 0 else { throw .invalidPower(p) }
        return DistancePower(p)
    }

    /// max |x| over `values` (0 when empty); `values` hold no NaN (the
    /// callers check finiteness first). `T.kernelSet` runs the vector loop of
    /// `T`'s own `VectorScalar` type: a loop generic over `SIMD8<T>` compiles
    /// its lane selections to a loop over the lanes through memory (measured:
    /// 14 % of the exact loss at n = 1e6).
    static func largestMagnitude<T: SoftSortScalar>(_ values: [T]) -> T {
        T.kernelSet.largestMagnitude(values)
    }

    /// `largestMagnitude` in vector lanes: lane-wise running maxima of
    /// `|x|` (`-negativeMagnitude`, the sign bit cleared) in two independent
    /// chains, then the largest lane.
    @inline(__always)
    static func largestVectorMagnitude<T: VectorScalar>(_ values: [T]) -> T {
        values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            let raw = UnsafeRawPointer(base), n = buffer.count, width = T.Vector.scalarCount
            var a = T.Vector(repeating: 0), b = T.Vector(repeating: 0)
            var k = 0
            while k + 2 * width <= n {
                let u = raw.loadUnaligned(fromByteOffset: k * MemoryLayout<T>.stride, as: T.Vector.self)
                let v = raw.loadUnaligned(fromByteOffset: (k + width) * MemoryLayout<T>.stride, as: T.Vector.self)
                a = T.maximum(a, -T.negativeMagnitude(u))
                b = T.maximum(b, -T.negativeMagnitude(v))
                k += 2 * width
            }
            a = T.maximum(a, b)
            var largest: T = 0
            for lane in 0..<width { largest = Swift.max(largest, a[lane]) }
            while k < n {
                largest = Swift.max(largest, base[k].magnitude)
                k += 1
            }
            return largest
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
}
