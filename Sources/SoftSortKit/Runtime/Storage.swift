/// Memory a result owns for state that never leaves the library (sorted
/// scores, scan factors, normalizers): one allocation, its base address
/// taken once, freed with the last result that holds it.
///
/// `@unchecked Sendable`: the forward that creates it writes it before the
/// result exists; afterwards every reader only reads, from any thread.
final class Storage<T>: @unchecked Sendable {
    /// The first element; valid while this object lives.
    let base: UnsafeMutablePointer<T>
    /// The number of elements.
    let count: Int

    /// `count` elements, each `value`.
    init(repeating value: T, count: Int) {
        self.count = count
        base = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    /// `count` elements of a trivial type, uninitialized: the caller writes
    /// every element before any is read (saves a fill pass over `O(B n)`).
    init(uninitializedCount count: Int) {
        precondition(_isPOD(T.self), "uninitialized storage is for trivial element types")
        self.count = count
        base = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
