/// The shapes and pointers at the boundary: checked before any element is
/// read, so a negative or overflowing shape never becomes a buffer size.
enum Shape {
    /// `a b` elements, checked: both `>= 0` and the product fits in `Int`.
    /// `first` and `second` name the factors in the message.
    static func elements(_ a: Int64, _ first: String, _ b: Int64, _ second: String) throws(Failure) -> Int {
        guard a >= 0 else { throw .library(.invalidDimension(argument: first, value: Int(a))) }
        guard b >= 0 else { throw .library(.invalidDimension(argument: second, value: Int(b))) }
        let (product, overflow) = Int(a).multipliedReportingOverflow(by: Int(b))
        guard !overflow else { throw .library(.shapeOverflow(batch: Int(a), count: Int(b))) }
        return product
    }

    /// `B n d`, checked: `d >= 0` and the product fits in `Int`.
    static func values(batch: Int, count: Int, dimension: Int64) throws(Failure) -> Int {
        guard dimension >= 0 else { throw .library(.invalidDimension(argument: "dimension", value: Int(dimension))) }
        let (product, overflow) = (batch * count).multipliedReportingOverflow(by: Int(dimension))
        guard !overflow else { throw .library(.shapeOverflow(batch: batch, count: count)) }
        return product
    }
}

/// The library's API takes and returns arrays: one copy in per input, one
/// copy out per output (the boundary's only copies; the library has no
/// pointer-in API yet).
enum Boundary {
    /// The `count` elements at `pointer` as an array (NULL only when `count == 0`).
    static func read<T>(_ argument: String, _ pointer: UnsafePointer<T>?, count: Int) throws(Failure) -> [T] {
        guard count > 0 else { return [] }
        guard let pointer else { throw .nullPointer(argument: argument) }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// `int64_t` indices as `Int` (the library's index type): one plain loop into
    /// uninitialised storage, which the compiler turns into a copy where `Int` is
    /// 64 bits (a closure-based `map` here cost about 1 ns per index).
    static func readIndices(_ argument: String, _ pointer: UnsafePointer<Int64>?, count: Int) throws(Failure) -> [Int] {
        guard count > 0 else { return [] }
        guard let pointer else { throw .nullPointer(argument: argument) }
        return [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            for k in 0..<count {
                buffer.initializeElement(at: k, to: Int(pointer[k]))
            }
            initialized = count
        }
    }

    /// Copies `source` to a required output (NULL only when `source` is empty).
    static func write<T>(_ argument: String, _ source: [T], to destination: UnsafeMutablePointer<T>?) throws(Failure) {
        guard !source.isEmpty else { return }
        guard let destination else { throw .nullPointer(argument: argument) }
        source.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// Copies `source` to a nullable output (skipped when NULL).
    static func writeIfGiven<T>(_ source: [T], to destination: UnsafeMutablePointer<T>?) {
        guard let destination, !source.isEmpty else { return }
        source.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// Writes one element to a required output.
    static func write<T>(_ argument: String, scalar: T, to destination: UnsafeMutablePointer<T>?) throws(Failure) {
        guard let destination else { throw .nullPointer(argument: argument) }
        destination.pointee = scalar
    }

    /// Writes indices as `int64_t` to a required output.
    static func write(
        _ argument: String, indices: [Int], to destination: UnsafeMutablePointer<Int64>?
    ) throws(Failure) {
        guard !indices.isEmpty else { return }
        guard let destination else { throw .nullPointer(argument: argument) }
        for (k, index) in indices.enumerated() { destination[k] = Int64(index) }
    }
}
