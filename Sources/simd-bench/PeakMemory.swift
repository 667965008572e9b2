import Foundation

/// The peak resident memory of one part of a run, on Linux: `VmHWM` of
/// `/proc/self/status` (the high-water mark of the resident set), reset to
/// the current resident set by writing "5" to `/proc/self/clear_refs`
/// (Linux 4.0+). Large buffers (a matrix, a workspace) come from `mmap` and go
/// back to the system when freed, so they leave the resident set before the
/// next run starts. `getrusage`'s `ru_maxrss` cannot be reset (it is the
/// whole process's maximum), so it would charge a later run with an earlier
/// run's `n x n` matrices.
///
/// What it counts: every resident page of the process between the reset and
/// the reading, including its baseline (the runtime, the code, the test
/// data) — an upper bound on what the run itself needs.
enum PeakMemory {
    /// Resets the high-water mark; false where that cannot be done.
    @discardableResult
    static func reset() -> Bool {
        #if os(Linux)
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
        #else
        return false
        #endif
    }

    /// `VmHWM` in bytes, or `nil` where there is none.
    static func bytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kibibytes = Int(fields[1]) else { return nil }
        return kibibytes * 1024
    }
}
