#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How many threads SoftSortKit's batched operations use.
///
/// Every operator takes `threads:`; `nil` means ``defaultThreadCount``.
/// Results are bitwise identical for every thread count.
public enum Parallelism {
    /// The largest thread count an operator, `SOFTSORT_THREADS` or the C
    /// ABI takes: more threads than any machine this library runs on has
    /// cores, so that a larger count is a mistake, not a request.
    public static let maximumThreadCount = 4096

    /// The thread count used when an operator's `threads` is `nil`: the
    /// environment variable `SOFTSORT_THREADS` when set to an integer in
    /// `1 ... maximumThreadCount`, otherwise ``availableCores``. Read once.
    /// When the variable is set (not empty) but is no such integer, this
    /// is ``availableCores`` and every operator given `threads: nil` throws
    /// `SoftSortError.invalidThreadCountVariable`: nothing is ignored silently.
    ///
    /// - Complexity: O(1) after the first call.
    public static var defaultThreadCount: Int { (try? cachedDefault.get()) ?? availableCores }

    /// The cores this process may run on: the online processors, capped by
    /// its affinity mask (Linux) and by a cgroup v2 `cpu.max` (or v1
    /// `cpu.cfs_quota_us`) quota; at least 1.
    ///
    /// - Complexity: reads a few small files under `/proc` and `/sys`.
    public static var availableCores: Int { CoreCount.available() }

    private static let cachedDefault: Result<Int, SoftSortError> = {
        guard let raw = getenv("SOFTSORT_THREADS"), raw.pointee != 0 else { return .success(availableCores) }
        let text = String(cString: raw)
        guard let value = Int(text), value >= 1, value <= maximumThreadCount else {
            return .failure(.invalidThreadCountVariable(text))
        }
        return .success(value)
    }()

    /// `requested` when given (it must be in `1 ... maximumThreadCount`), the default otherwise.
    static func resolve(_ requested: Int?) throws(SoftSortError) -> Int {
        guard let requested else { return try cachedDefault.get() }
        guard requested > 0, requested <= maximumThreadCount else { throw .invalidThreadCount(requested) }
        return requested
    }
}
