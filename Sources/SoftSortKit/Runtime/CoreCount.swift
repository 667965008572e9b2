#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The cores a process may use, read from the kernel without Foundation.
enum CoreCount {
    /// The online processors, capped by the affinity mask and a cgroup CPU quota; at least 1.
    static func available() -> Int {
        var cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #if os(Linux)
        // The affinity mask, as the kernel reports it: "Cpus_allowed:\t ff,ffffffff".
        if let status = readFile("/proc/self/status"),
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

    /// `ceil(quota / period)` from cgroup v2 `cpu.max` or v1 `cpu.cfs_quota_us`,
    /// `nil` when unlimited or unreadable.
    static func cgroupQuota() -> Int? {
        if let line = readFile("/sys/fs/cgroup/cpu.max") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\n" })
            if fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), period > 0 {
                return Int((quota / period).rounded(.up))
            }
            return nil  // "max": unlimited
        }
        func number(_ path: String) -> Double? {
            readFile(path).flatMap { Double($0.filter { !$0.isWhitespace }) }
        }
        if let quota = number("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), quota > 0,
           let period = number("/sys/fs/cgroup/cpu/cpu.cfs_period_us"), period > 0 {
            return Int((quota / period).rounded(.up))
        }
        return nil
    }

    /// A small text file's contents (up to 64 KiB), or `nil`.
    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        return String(decoding: bytes[..<read], as: UTF8.self)
    }
}
