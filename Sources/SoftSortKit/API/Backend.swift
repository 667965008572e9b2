#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The kernel families SoftSortKit can run on.
///
/// - `scalar`: one element at a time with libm's `exp`; the baseline.
/// - `simd`: portable Swift SIMD (`SIMD8<Float>`, `SIMD4<Double>`).
/// - `avx2`: hand-written AVX2+FMA C kernels (x86-64 only, chosen at run time).
///
/// Every operator runs on `Backend.preferred` unless given one explicitly.
public enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    /// One element at a time with libm's `exp`: the baseline.
    case scalar
    /// Portable Swift SIMD: 8 `Float` or 4 `Double` lanes.
    case simd
    /// The AVX2+FMA C kernels (`Float`, x86-64 CPUs with AVX2 and FMA).
    case avx2

    /// The backend's name, as `SOFTSORT_BACKEND` takes it.
    public var description: String { rawValue }

    /// Whether this backend's kernels exist in this build and run on this CPU.
    public var isAvailable: Bool {
        switch self {
        case .scalar, .simd: return true
        case .avx2: return AVX2Support.kernelsAvailable
        }
    }

    /// The backends that can run here, slowest first.
    public static var available: [Backend] { allCases.filter(\.isAvailable) }

    /// The best available backend, unless the environment variable
    /// `SOFTSORT_BACKEND` (`scalar`, `simd` or `avx2`) names another. Read once.
    ///
    /// - Returns: the backend every operator runs on when given none.
    /// - Throws: `SoftSortError.unknownBackend` when the variable names no
    ///   backend, `SoftSortError.backendUnavailable` when it names one that
    ///   cannot run here. Nothing falls back silently.
    /// - Complexity: O(1) after the first call.
    public static func preferred() throws(SoftSortError) -> Backend {
        try cachedPreference.get()
    }

    private static let cachedPreference: Result<Backend, SoftSortError> = {
        guard let raw = getenv("SOFTSORT_BACKEND"), !String(cString: raw).isEmpty else {
            return .success(available.last!)
        }
        let name = String(cString: raw)
        guard let backend = Backend(rawValue: name) else { return .failure(.unknownBackend(name)) }
        guard backend.isAvailable else { return .failure(.backendUnavailable(backend.rawValue)) }
        return .success(backend)
    }()

    /// `requested` when it can run here, `preferred()` when it is `nil`.
    static func resolve(_ requested: Backend?) throws(SoftSortError) -> Backend {
        guard let requested else { return try preferred() }
        guard requested.isAvailable else { throw .backendUnavailable(requested.rawValue) }
        return requested
    }
}
