import Foundation

/// A progress bar on stderr: redrawn in place on a terminal (at most every
/// 0.2 s), a line per finished run otherwise.
struct ProgressBar {
    private let terminal = isatty(STDERR_FILENO) != 0
    private var last = DispatchTime(uptimeNanoseconds: 0)
    private let total: Int
    private var done = 0
    private let name: String

    /// `total`: training steps of the whole command.
    init(_ name: String, total: Int) {
        self.name = name
        self.total = max(1, total)
    }

    mutating func advance(_ label: String, step: Int, of steps: Int, loss: Double) {
        done += 1
        guard terminal else { return }
        let now = DispatchTime.now()
        guard now.uptimeNanoseconds - last.uptimeNanoseconds > 200_000_000 || step == steps else { return }
        last = now
        let width = 30, filled = width * min(done, total) / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "[\(bar)] \(100 * min(done, total) / total)% \(label): step \(step)/\(steps), loss " + String(format: "%.4f", loss)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func finished(_ line: String) {
        FileHandle.standardError.write(
            Data(((terminal ? "\r\u{1B}[K" : "") + "[\(name)] \(100 * min(done, total) / total)% " + line + "\n").utf8))
    }
}
