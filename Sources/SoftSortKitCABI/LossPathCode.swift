import SoftSortKit

/// The `SOFTSORTKIT_PATH_*` codes of `softsortkit.h`: the library's `LossPath`.
enum LossPathCode: Int32 {
    case automatic = 0
    case dense = 1
    case fused = 2
    case exact = 3
    case gauss = 4

    /// The path of a code, or `.invalidArgument`.
    static func from(_ code: Int32) throws(Failure) -> LossPathCode {
        guard let path = LossPathCode(rawValue: code) else { throw .invalidArgument(name: "path", value: Int(code)) }
        return path
    }

    /// The code of the library's path.
    init(_ path: LossPath) {
        switch path {
        case .automatic: self = .automatic
        case .dense: self = .dense
        case .fused: self = .fused
        case .exact: self = .exact
        case .gauss: self = .gauss
        }
    }

    /// The library's path of this code.
    var lossPath: LossPath {
        switch self {
        case .automatic: return .automatic
        case .dense: return .dense
        case .fused: return .fused
        case .exact: return .exact
        case .gauss: return .gauss
        }
    }
}
