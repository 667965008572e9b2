import SoftSortKit

/// Why a C ABI call failed: the library's typed error, or a check the ABI
/// adds at the boundary (pointers, enumerations).
enum Failure: Error {
    /// A `SoftSortError` from the library, passed through with its text.
    case library(SoftSortError)
    /// A required pointer is NULL while its element count is not 0.
    case nullPointer(argument: String)
    /// An integer argument names no value of its enumeration.
    case invalidArgument(name: String, value: Int)
    /// `softsortkit_set_threads` got a count outside `0 ... maximumThreadCount`.
    case threadCount(Int)
    /// An error of no other kind (nothing below the boundary throws one).
    case unexpected(String)

    /// The `SOFTSORTKIT_ERROR_*` code of `softsortkit.h`.
    var code: Int32 {
        switch self {
        case .library(let error):
            switch error {
            case .invalidTemperature: return 1
            case .invalidPower: return 2
            case .nonFiniteScore, .nonFiniteValue, .nonFiniteInput, .nonPositiveScore: return 3
            case .sizeMismatch, .invalidDimension, .shapeOverflow: return 4
            case .indexOutOfRange: return 5
            case .invalidThreadCount, .invalidThreadCountVariable: return 6
            case .unknownBackend, .backendUnavailable: return 7
            case .invalidRowSelection, .invalidWindowWidth, .invalidSampleCount, .invalidArgument: return 8
            case .unsupportedPath: return 10
            // The ABI gives each call its own workspace (ScratchPool): never thrown here.
            case .workspaceInUse: return 8
            case .insufficientMemory: return 11
            }
        case .invalidArgument, .unexpected: return 8
        case .nullPointer: return 9
        case .threadCount: return 6
        }
    }

    /// The sentence `softsortkit_last_error()` returns.
    var message: String {
        switch self {
        case .library(let error): return error.description
        case .nullPointer(let argument): return "\(argument) is NULL but holds elements"
        case .invalidArgument(let name, let value): return "\(name) = \(value) is out of range"
        case .threadCount(let threads):
            return "threads must be in 0...\(Parallelism.maximumThreadCount) "
                + "(0: SOFTSORT_THREADS or the cores available), got \(threads)"
        case .unexpected(let text): return text
        }
    }
}

/// Runs one ABI call: `SOFTSORTKIT_OK` when `body` returns, otherwise the
/// failure's code, its message stored as this thread's last error. `body`
/// throws the library's `SoftSortError` or the boundary's `Failure`.
func guarded(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch {
        let failure = Failure(error)
        LastError.set(failure.message)
        return failure.code
    }
}

extension Failure {
    /// The failure of an error thrown inside a call.
    init(_ error: any Error) {
        switch error {
        case let failure as Failure: self = failure
        case let error as SoftSortError: self = .library(error)
        default: self = .unexpected(String(describing: error))
        }
    }
}
