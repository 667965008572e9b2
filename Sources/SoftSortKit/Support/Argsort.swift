/// Stable argsort of one row: `order[r]` is the index of the element of rank
/// `r`; equal values keep their index order (as `torch.sort(stable=True)`).
@inline(__always)
func stableArgsort<T: Comparable>(
    _ values: UnsafeBufferPointer<T>, direction: SortDirection, into order: UnsafeMutableBufferPointer<Int>
) {
    var order = order
    for r in order.indices { order[r] = r }
    let descending = direction == .descending
    order.sort { (a: Int, b: Int) -> Bool in
        let x = values[a], y = values[b]
        if x == y { return a < b }
        return descending ? x > y : x < y
    }
}
