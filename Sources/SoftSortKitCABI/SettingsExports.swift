// The C entry points of softsortkit.h's "Version, errors, settings, options" section.
import SoftSortKit

@_cdecl("softsortkit_abi_version")
public func softsortkit_abi_version() -> Int32 { Settings.abiVersion }

@_cdecl("softsortkit_version")
public func softsortkit_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(Settings.version.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("softsortkit_last_error")
public func softsortkit_last_error() -> UnsafePointer<CChar> { LastError.current }

@_cdecl("softsortkit_set_threads")
public func softsortkit_set_threads(_ threads: Int32) -> Int32 {
    guarded { () throws(Failure) in try Settings.setThreads(Int(threads)) }
}

@_cdecl("softsortkit_threads")
public func softsortkit_threads() -> Int32 { Int32(Settings.threads ?? Parallelism.defaultThreadCount) }

@_cdecl("softsortkit_set_backend")
public func softsortkit_set_backend(_ backend: Int32) -> Int32 {
    guarded { () throws(Failure) in try Settings.setBackend(backend) }
}

@_cdecl("softsortkit_backend")
public func softsortkit_backend(_ backend: UnsafeMutablePointer<Int32>?) -> Int32 {
    guarded { () throws(Failure) in
        guard let backend else { throw .nullPointer(argument: "backend") }
        backend.pointee = Settings.code(of: try Settings.resolvedBackend())
    }
}

@_cdecl("softsortkit_backend_available")
public func softsortkit_backend_available(_ backend: Int32) -> Int32 {
    Settings.backend(code: backend)?.isAvailable == true ? 1 : 0
}

@_cdecl("softsortkit_options_init")
public func softsortkit_options_init(_ options: UnsafeMutableRawPointer?) {
    guard let options else { return }
    CallOptions.defaults.write(to: options)
}

@_cdecl("softsortkit_release_scratch")
public func softsortkit_release_scratch() {
    Float.pool.release()
    Double.pool.release()
}
