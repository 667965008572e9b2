import SoftSortKit
import Synchronization

/// The process-wide settings every ABI call reads: the thread count and the
/// backend, each one atomic integer (0 = the library's default).
enum Settings {
    /// `SOFTSORTKIT_ABI_VERSION` of `softsortkit.h`.
    static let abiVersion: Int32 = 2
    /// The library version `softsortkit_version()` returns.
    static let version: StaticString = "0.1.0"

    private static let threadSetting = Atomic<Int>(0)
    private static let backendSetting = Atomic<Int32>(0)

    /// The `threads:` every operator gets: `nil` (the library's default) or the set count.
    static var threads: Int? {
        let value = threadSetting.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Sets the thread count, `0` for the default.
    static func setThreads(_ threads: Int) throws(Failure) {
        guard threads >= 0, threads <= Parallelism.maximumThreadCount else { throw .library(.invalidThreadCount(threads)) }
        threadSetting.store(threads, ordering: .relaxed)
    }

    /// The `backend:` every operator gets: `nil` (the preferred one) or the set backend.
    static var backend: Backend? { backend(code: backendSetting.load(ordering: .relaxed)) }

    /// Sets the backend from its `SOFTSORTKIT_BACKEND_*` code.
    static func setBackend(_ code: Int32) throws(Failure) {
        guard code == 0 || backend(code: code) != nil else {
            throw .invalidArgument(name: "backend", value: Int(code))
        }
        if let backend = backend(code: code), !backend.isAvailable {
            throw .library(.backendUnavailable(backend.rawValue))
        }
        backendSetting.store(code, ordering: .relaxed)
    }

    /// The backend later calls resolve to.
    static func resolvedBackend() throws(Failure) -> Backend {
        if let backend { return backend }
        do { return try Backend.preferred() } catch { throw .library(error) }
    }

    /// The backend of a `SOFTSORTKIT_BACKEND_*` code (`nil` for 0 or an unknown code).
    static func backend(code: Int32) -> Backend? {
        switch code {
        case 1: return .scalar
        case 2: return .simd
        case 3: return .avx2
        default: return nil
        }
    }

    /// The `SOFTSORTKIT_BACKEND_*` code of a backend.
    static func code(of backend: Backend) -> Int32 {
        switch backend {
        case .scalar: return 1
        case .simd: return 2
        case .avx2: return 3
        }
    }
}
