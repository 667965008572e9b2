#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The thread-local message of the last failing call, behind a pthread key:
/// each thread owns one `malloc`ed C string, replaced on every failure and
/// freed by the key's destructor when the thread exits.
enum LastError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in free(pointer) }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// Replaces this thread's message.
    static func set(_ message: String) {
        let old = pthread_getspecific(key)
        let copy = strdup(message)
        pthread_setspecific(key, copy)
        free(old)
    }

    /// This thread's message, or a static empty string before any failure.
    static var current: UnsafePointer<CChar> {
        if let pointer = pthread_getspecific(key) {
            return UnsafePointer(pointer.assumingMemoryBound(to: CChar.self))
        }
        return UnsafeRawPointer(emptyMessage.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// A NUL-terminated empty string in static storage.
    private static let emptyMessage: StaticString = ""
}
