/// Carries a value that is not `Sendable` (a pointer, a kernel job) into a
/// `concurrentPerform` closure, as swift-nio's `UnsafeTransfer` does.
///
/// Safe here because of how the scheduler uses it: every work item writes a
/// disjoint part of the output (its own rows, its own partial buffer), and
/// every read-only input is not written while the loop runs.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
