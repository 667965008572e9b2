// softsortkit_error_name: the name of each SOFTSORTKIT_* code of softsortkit.h.

/// The `#define` name of every code `softsortkit.h` gives a function's
/// result, by code (the ABI 1 alias `SOFTSORTKIT_ERROR_UNSUPPORTED` is
/// `SOFTSORTKIT_ERROR_UNSUPPORTED_PATH`'s code, so it has no entry).
enum ErrorNames {
    static let byCode: [StaticString] = [
        "SOFTSORTKIT_OK",
        "SOFTSORTKIT_ERROR_INVALID_TEMPERATURE",
        "SOFTSORTKIT_ERROR_INVALID_POWER",
        "SOFTSORTKIT_ERROR_NON_FINITE",
        "SOFTSORTKIT_ERROR_INVALID_SHAPE",
        "SOFTSORTKIT_ERROR_INDEX_OUT_OF_RANGE",
        "SOFTSORTKIT_ERROR_INVALID_THREAD_COUNT",
        "SOFTSORTKIT_ERROR_BACKEND_UNAVAILABLE",
        "SOFTSORTKIT_ERROR_INVALID_ARGUMENT",
        "SOFTSORTKIT_ERROR_NULL_POINTER",
        "SOFTSORTKIT_ERROR_UNSUPPORTED_PATH",
        "SOFTSORTKIT_ERROR_OUT_OF_MEMORY",
    ]
}

@_cdecl("softsortkit_error_name")
public func softsortkit_error_name(_ code: Int32) -> UnsafePointer<CChar>? {
    guard code >= 0, Int(code) < ErrorNames.byCode.count else { return nil }
    return UnsafeRawPointer(ErrorNames.byCode[Int(code)].utf8Start).assumingMemoryBound(to: CChar.self)
}
