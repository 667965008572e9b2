// The C entry points of softsortkit.h's "Sorted values, ranks, normalizers" section.

@_cdecl("softsortkit_sorted_values_f32")
public func softsortkit_sorted_values_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ output: UnsafeMutablePointer<Float>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.forward(.sortedValues, options, scores, batch, count, output, pathUsed)
}

@_cdecl("softsortkit_sorted_values_f64")
public func softsortkit_sorted_values_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ output: UnsafeMutablePointer<Double>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.forward(.sortedValues, options, scores, batch, count, output, pathUsed)
}

@_cdecl("softsortkit_sorted_values_backward_f32")
public func softsortkit_sorted_values_backward_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ gradOutput: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.backward(.sortedValues, options, scores, batch, count, gradOutput, gradScores, pathUsed)
}

@_cdecl("softsortkit_sorted_values_backward_f64")
public func softsortkit_sorted_values_backward_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ gradOutput: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.backward(.sortedValues, options, scores, batch, count, gradOutput, gradScores, pathUsed)
}

@_cdecl("softsortkit_ranks_f32")
public func softsortkit_ranks_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ output: UnsafeMutablePointer<Float>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.forward(.ranks, options, scores, batch, count, output, pathUsed)
}

@_cdecl("softsortkit_ranks_f64")
public func softsortkit_ranks_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ output: UnsafeMutablePointer<Double>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.forward(.ranks, options, scores, batch, count, output, pathUsed)
}

@_cdecl("softsortkit_ranks_backward_f32")
public func softsortkit_ranks_backward_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ gradOutput: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.backward(.ranks, options, scores, batch, count, gradOutput, gradScores, pathUsed)
}

@_cdecl("softsortkit_ranks_backward_f64")
public func softsortkit_ranks_backward_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ gradOutput: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.backward(.ranks, options, scores, batch, count, gradOutput, gradScores, pathUsed)
}

@_cdecl("softsortkit_log_normalizers_f32")
public func softsortkit_log_normalizers_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ output: UnsafeMutablePointer<Float>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.logNormalizers(options, scores, batch, count, output, pathUsed)
}

@_cdecl("softsortkit_log_normalizers_f64")
public func softsortkit_log_normalizers_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ output: UnsafeMutablePointer<Double>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ValuesCalls.logNormalizers(options, scores, batch, count, output, pathUsed)
}
