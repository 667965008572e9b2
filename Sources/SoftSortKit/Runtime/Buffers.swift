/// Sizes `buffer` to `count` elements, reallocating only when the size
/// differs. The contents are unspecified: every caller writes each element
/// before reading it. The element types (`Int`, `Float`, `Double`) are
/// trivial, so any bits are valid values; not filling the buffer saves a pass
/// over a `B n^2` matrix.
func resizeBuffer<E>(_ buffer: inout [E], _ count: Int) {
    guard buffer.count != count else { return }
    buffer = [E](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}
