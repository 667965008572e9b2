/// The shapes and pointers at the boundary: checked before any element is
/// read, so a negative or overflowing shape never becomes a buffer size.
struct Shape {
    let batch: Int
    let count: Int
    /// `B n`.
    var rows: Int { batch * count }

    /// Checks `batch >= 0`, `count >= 0`, and that `B n`, `B n^2` (when
    /// `matrices`) and `B n d` (when given `dimension`) fit in `Int`.
    init(batch: Int64, count: Int64, matrices: Bool = false, dimension: Int64? = nil) throws(Failure) {
        guard batch >= 0 else { throw .library(.invalidDimension(argument: "batch", value: Int(batch))) }
        guard count >= 0 else { throw .library(.invalidDimension(argument: "count", value: Int(count))) }
        let b = Int(batch), n = Int(count)
        let (rows, o1) = b.multipliedReportingOverflow(by: n)
        let (_, o2) = rows.multipliedReportingOverflow(by: matrices ? n : 1)
        guard !o1, !o2 else { throw .library(.shapeOverflow(batch: b, count: n)) }
        if let dimension {
            guard dimension >= 0 else { throw .library(.invalidDimension(argument: "dimension", value: Int(dimension))) }
            let (_, o3) = rows.multipliedReportingOverflow(by: Int(dimension))
            guard !o3 else { throw .library(.shapeOverflow(batch: b, count: n)) }
        }
        self.batch = b
        self.count = n
    }
}

/// The library's API takes and returns arrays: one copy in per input, one
/// copy out per output (the boundary's only copies).
enum Boundary {
    /// The `count` elements at `pointer` as an array (NULL only when `count == 0`).
    static func read<T>(_ argument: String, _ pointer: UnsafePointer<T>?, count: Int) throws(Failure) -> [T] {
        guard count > 0 else { return [] }
        guard let pointer else { throw .nullPointer(argument: argument) }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// The target columns as `Int` (the library's index type).
    static func readIndices(_ argument: String, _ pointer: UnsafePointer<Int64>?, count: Int) throws(Failure) -> [Int] {
        guard count > 0 else { return [] }
        guard let pointer else { throw .nullPointer(argument: argument) }
        return UnsafeBufferPointer(start: pointer, count: count).map { Int($0) }
    }

    /// Checks that a required output can hold `count` elements (non-NULL unless empty).
    static func require<T>(_ argument: String, _ pointer: UnsafeMutablePointer<T>?, count: Int) throws(Failure) {
        if count > 0, pointer == nil { throw .nullPointer(argument: argument) }
    }

    /// Copies `source` to `destination` (which `require` checked, or which is nullable and skipped when NULL).
    static func write<T>(_ source: [T], to destination: UnsafeMutablePointer<T>?) {
        guard let destination, !source.isEmpty else { return }
        source.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// Writes the permutation as `int64_t`.
    static func write(permutation: [Int], to destination: UnsafeMutablePointer<Int64>?) {
        guard let destination else { return }
        for (k, column) in permutation.enumerated() { destination[k] = Int64(column) }
    }
}
