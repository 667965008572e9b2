/// `sum_i log z_i` for normalisers `z_i` in `[1, 2^62]` (a row sum of at
/// most `n` kernel entries, each at most 1, that includes its own entry 1)
/// with one `log` per `run` values instead of one per value: the values are
/// multiplied in `Double`, `run` at a time, and the log of each product is
/// added. `run` products of values below `2^62` stay below `2^992`, and
/// values at least 1 never underflow, so no product leaves `Double`'s
/// range. Each product carries at most `run - 1` roundings (relative
/// `2^-53` each), which adds at most about `run * 2^-53` (absolute) to the
/// log of the run: the same order as the values' own rounding (a `Double`
/// `z >= 1` is itself within `2^-53 z` of the exact sum, so even one log per
/// value carries about `2^-53` per value). Measured with `simd-bench verify`
/// on the shared loss cases: the losses' relative errors stay at 1e-15 to
/// 4e-11 (the golden values' own precision), before and after.
///
/// The order of every operation is fixed by the index, so the bits do not
/// depend on how rows are spread over threads.
struct LogProducts {
    /// Values per product.
    static let run = 16

    private var product = 1.0
    private var pending = 0
    /// The sum of the logs of the finished products.
    private(set) var logs = 0.0

    /// Multiplies `z` (at least 1, below `2^62`) into the current product.
    @inline(__always)
    mutating func add(_ z: Double) {
        product *= z
        pending += 1
        if pending == Self.run {
            logs += Double.libmLog(product)
            product = 1
            pending = 0
        }
    }

    /// `sum log z` of every value added.
    @inline(__always)
    var total: Double { pending == 0 ? logs : logs + Double.libmLog(product) }
}
