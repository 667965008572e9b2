/// The `SOFTSORTKIT_PATH_*` codes of `softsortkit.h`, mirroring the
/// library's loss paths (issue 10's `LossPath`).
enum LossPathCode: Int32 {
    case automatic = 0
    case dense = 1
    case fused = 2
    case exact = 3

    /// The path of a code, or `.invalidArgument`.
    static func from(_ code: Int32) throws(Failure) -> LossPathCode {
        guard let path = LossPathCode(rawValue: code) else { throw .invalidArgument(name: "path", value: Int(code)) }
        return path
    }
}

/// A loss and its gradient as the ABI returns them.
struct LossResult<T> {
    /// `sum_(b, i) -log P[b, i, t[b, i]]`, summed in `Double`, rounded to `T` once.
    var value: T
    /// `dL/ds`, `batch x count` (empty when not asked for).
    var gradient: [T]
    /// The path that ran (never `.automatic`).
    var path: LossPathCode
}
