#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What this process may still allocate, and the check that turns a matrix
/// that cannot fit into `SoftSortError.insufficientMemory` instead of a
/// fatal allocation failure.
///
/// The limits, read fresh on every check (without Foundation): `RLIMIT_AS`
/// less the process's virtual size and `RLIMIT_DATA` less its data size
/// (`/proc/self/statm`), the cgroup's `memory.max` less `memory.current`
/// (v1: `memory.limit_in_bytes` less `memory.usage_in_bytes`), and
/// `MemAvailable` of `/proc/meminfo`. The smallest wins; an unreadable or
/// unlimited one is ignored.
struct MemoryLimits: Sendable, Equatable {
    /// Bytes the process may still allocate, `Int.max` when nothing limits it.
    var available: Int

    /// Allocations below this many bytes are not checked (reading the limits
    /// costs a few file reads; a request this small fails only when the
    /// process is already dying).
    static let checkedFrom = 16 << 20

    /// The limits of this process now.
    static func current() -> MemoryLimits {
        var available = Int.max
        let page = max(1, Int(sysconf(Int32(_SC_PAGESIZE))))
        // statm: size resident shared text lib data dt, in pages.
        let statm = CoreCount.readFile("/proc/self/statm").map { $0.split(separator: " ").compactMap { Int($0.filter(\.isNumber)) } } ?? []
        let virtualSize = statm.count > 0 ? statm[0] * page : 0
        let dataSize = statm.count > 5 ? statm[5] * page : 0
        if let limit = resourceLimit(Int32(RLIMIT_AS.rawValue)) { available = min(available, limit - virtualSize) }
        if let limit = resourceLimit(Int32(RLIMIT_DATA.rawValue)) { available = min(available, limit - dataSize) }
        if let cgroup = cgroupRoom() { available = min(available, cgroup) }
        if let free = memAvailable() { available = min(available, free) }
        return MemoryLimits(available: max(0, available))
    }

    /// A soft resource limit in bytes, `nil` when unlimited or unreadable.
    static func resourceLimit(_ resource: Int32) -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        guard getrlimit(__rlimit_resource_t(UInt32(resource)), &limit) == 0 else { return nil }
        #else
        guard getrlimit(resource, &limit) == 0 else { return nil }
        #endif
        // RLIM_INFINITY is all ones (it does not import as a Swift constant).
        guard limit.rlim_cur < UInt64(Int.max) else { return nil }
        return Int(limit.rlim_cur)
    }

    /// `memory.max - memory.current` (cgroup v2) or the v1 equivalent, `nil` when unlimited.
    static func cgroupRoom() -> Int? {
        func number(_ path: String) -> Int? { CoreCount.readFile(path).flatMap { Int($0.filter(\.isNumber)) } }
        // v2: the file holds "max" when unlimited; the number filter then reads nothing.
        if let limit = number("/sys/fs/cgroup/memory.max"), let used = number("/sys/fs/cgroup/memory.current") {
            return limit - used
        }
        // v1: an unlimited group reports a huge number (about 2^63 rounded to pages).
        if let limit = number("/sys/fs/cgroup/memory/memory.limit_in_bytes"), limit < Int.max / 2,
           let used = number("/sys/fs/cgroup/memory/memory.usage_in_bytes") {
            return limit - used
        }
        return nil
    }

    /// `MemAvailable` in bytes.
    static func memAvailable() -> Int? {
        guard let info = CoreCount.readFile("/proc/meminfo"),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kib = Int(line.filter(\.isNumber)) else { return nil }
        let (bytes, overflow) = kib.multipliedReportingOverflow(by: 1024)
        return overflow ? nil : bytes
    }
}

enum MemoryBudget {
    /// Throws `insufficientMemory` when `elements` values of `T` (with
    /// overflow: more than any process has) do not fit in what `limits`
    /// (by default the process's current limits) leave.
    ///
    /// - Parameters:
    ///   - elements: the elements the call is about to allocate, summed.
    ///   - alternative: the path that needs no such buffer, for the message.
    ///   - limits: the limits to compare with; `nil` reads the current ones.
    static func require<T>(
        _ elements: Int, of _: T.Type, alternative: @autoclosure () -> String, limits: MemoryLimits? = nil
    ) throws(SoftSortError) {
        let (bytes, overflow) = max(0, elements).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        let needed = overflow ? Int.max : bytes
        guard needed >= MemoryLimits.checkedFrom || limits != nil else { return }
        let available = (limits ?? .current()).available
        guard needed <= available else {
            throw .insufficientMemory(bytesNeeded: needed, bytesAvailable: available, alternative: alternative())
        }
    }

    /// `a * b` of nonnegative shapes, `Int.max` on overflow. (Not variadic:
    /// a variadic parameter is an array, one heap allocation per call.)
    static func product(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = max(0, a).multipliedReportingOverflow(by: max(0, b))
        return overflow ? Int.max : result
    }

    /// `a * b * c` of nonnegative shapes, `Int.max` on overflow.
    static func product(_ a: Int, _ b: Int, _ c: Int) -> Int {
        product(product(a, b), c)
    }

    /// `a + b`, `Int.max` on overflow.
    static func sum(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : result
    }
}
