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
    /// The thread count used when an operator's `threads` is `nil`: the
    /// environment variable `SOFTSORT_THREADS` when set to an integer in
    /// `1 ... maximumThreadCount`, otherwise ``availableCores``. Read once.
    ///
    /// - Complexity: O(1) after the first call.
    public static var defaultThreadCount: Int { cachedDefault }

    /// The cores this process may run on: the online processors, capped by
    /// its affinity mask (Linux) and by a cgroup v2 `cpu.max` (or v1
    /// `cpu.cfs_quota_us`) quota; at least 1.
    ///
    /// - Complexity: reads a few small files under `/proc` and `/sys`.
    public static var availableCores: Int { CoreCount.available() }

    /// The largest thread count an operator accepts, 65 536: a larger one is
    /// `SoftSortError.invalidThreadCount` (a loop never runs more threads
    /// than it has rows or lane blocks).
    public static let maximumThreadCount = 1 << 16

    private static let cachedDefault: Int = {
        if let raw = getenv("SOFTSORT_THREADS"), let value = Int(String(cString: raw)), value > 0,
           value <= maximumThreadCount {
            return value
        }
        return availableCores
    }()

    /// `requested` when given (it must be in `1 ... maximumThreadCount`), the default otherwise.
    static func resolve(_ requested: Int?) throws(SoftSortError) -> Int {
        guard let requested else { return defaultThreadCount }
        guard requested > 0, requested <= maximumThreadCount else { throw .invalidThreadCount(requested) }
        return requested
    }
}
