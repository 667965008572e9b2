#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// How many threads SoftSortKit's batched operations use.
public enum Parallelism {
    /// The thread count used when an operator's `threads` is `nil`: the
    /// environment variable `SOFTSORT_THREADS` when set to a positive
    /// integer, otherwise the cores this process may use (its CPU affinity
    /// mask, capped by a cgroup CPU quota when one is set). Read once.
    public static var defaultThreadCount: Int { cachedDefault }

    /// The cores this process may run on: its affinity mask (Linux), capped by the
    /// cgroup v2 `cpu.max` (or v1 `cpu.cfs_quota_us`) quota, at least 1.
    public static var availableCores: Int {
        var cores = ProcessInfo.processInfo.activeProcessorCount
        #if os(Linux)
        // The affinity mask, as the kernel reports it: "Cpus_allowed:\t ff,ffffffff".
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let count = line.dropFirst("Cpus_allowed:".count).reduce(0) { total, digit in
                total + (digit.hexDigitValue ?? 0).nonzeroBitCount
            }
            if count > 0 { cores = min(cores, count) }
        }
        if let quota = cgroupQuota() { cores = min(cores, quota) }
        #endif
        return max(1, cores)
    }

    private static let cachedDefault: Int = {
        if let raw = getenv("SOFTSORT_THREADS"), let value = Int(String(cString: raw)), value > 0 {
            return value
        }
        return availableCores
    }()

    /// `ceil(quota / period)` from cgroup v2 `cpu.max` or v1 `cpu.cfs_quota_us`,
    /// `nil` when unlimited or unreadable.
    static func cgroupQuota() -> Int? {
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let max = read("/sys/fs/cgroup/cpu.max") {
            let fields = max.split(separator: " ")
            if fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), period > 0 {
                return Int((quota / period).rounded(.up))
            }
            return nil  // "max": unlimited
        }
        if let quota = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").flatMap(Double.init), quota > 0,
           let period = read("/sys/fs/cgroup/cpu/cpu.cfs_period_us").flatMap(Double.init), period > 0 {
            return Int((quota / period).rounded(.up))
        }
        return nil
    }

    /// `requested` when given (it must be positive), the default otherwise.
    static func resolve(_ requested: Int?) throws(SoftSortError) -> Int {
        guard let requested else { return defaultThreadCount }
        guard requested > 0 else { throw .invalidDimension(argument: "threads", value: requested) }
        return requested
    }
}
