import ArgumentParser
import Foundation

/// The check every `--json`, `--csv` and `--emit-table` file gets in
/// `validate()`, before a run starts: a long run must not end in a write
/// that fails.
enum OutputFile {
    /// Throws unless `path` can be written: its folder exists and is
    /// writable, and it is not a folder nor a read-only file.
    static func check(_ path: String?) throws {
        guard let path else { return }
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { throw ValidationError("cannot write \(path): it is a folder") }
            if !manager.isWritableFile(atPath: path) { throw ValidationError("cannot write \(path): it is read-only") }
            return
        }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        guard manager.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("cannot write \(path): the folder \(directory) does not exist")
        }
        guard manager.isWritableFile(atPath: directory) else {
            throw ValidationError("cannot write \(path): the folder \(directory) is read-only")
        }
    }
}
