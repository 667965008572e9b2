extension UnsafeMutableBufferPointer {
    /// The base address, or a dangling aligned address for an empty buffer
    /// (never dereferenced: every loop over it runs zero times).
    var base: UnsafeMutablePointer<Element> {
        baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<Element>.alignment)!
    }
}

extension UnsafeBufferPointer {
    /// As `UnsafeMutableBufferPointer.base`.
    var base: UnsafePointer<Element> {
        baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Element>.alignment)!
    }
}

extension Array {
    /// Runs `body` with the base address of the elements (dangling when empty).
    @inline(__always)
    func withBase<R>(_ body: (UnsafePointer<Element>) -> R) -> R {
        withUnsafeBufferPointer { body($0.base) }
    }

    /// Runs `body` with the mutable base address of the elements (dangling when empty).
    @inline(__always)
    mutating func withMutableBase<R>(_ body: (UnsafeMutablePointer<Element>) -> R) -> R {
        withUnsafeMutableBufferPointer { body($0.base) }
    }
}

extension Optional {
    /// Runs `body` with the base address of the array's elements (dangling
    /// when empty), or with `nil` when there is no array.
    @inline(__always)
    func withBase<Element, R>(_ body: (UnsafePointer<Element>?) -> R) -> R where Wrapped == [Element] {
        guard let array = self else { return body(nil) }
        return array.withBase { body($0) }
    }
}
