// The C entry points of softsortkit.h's "Products" section.

@_cdecl("softsortkit_apply_f32")
public func softsortkit_apply_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(.all, options, scores, batch, count, values, dimension, output, pathUsed)
}

@_cdecl("softsortkit_apply_f64")
public func softsortkit_apply_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(.all, options, scores, batch, count, values, dimension, output, pathUsed)
}

@_cdecl("softsortkit_apply_backward_f32")
public func softsortkit_apply_backward_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Float>?,
    _ gradScores: UnsafeMutablePointer<Float>?, _ gradValues: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .all, options, scores, batch, count, values, dimension, gradOutput, gradScores, gradValues, pathUsed)
}

@_cdecl("softsortkit_apply_backward_f64")
public func softsortkit_apply_backward_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Double>?,
    _ gradScores: UnsafeMutablePointer<Double>?, _ gradValues: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .all, options, scores, batch, count, values, dimension, gradOutput, gradScores, gradValues, pathUsed)
}

@_cdecl("softsortkit_apply_transposed_f32")
public func softsortkit_apply_transposed_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(.transposed, options, scores, batch, count, values, dimension, output, pathUsed)
}

@_cdecl("softsortkit_apply_transposed_f64")
public func softsortkit_apply_transposed_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(.transposed, options, scores, batch, count, values, dimension, output, pathUsed)
}

@_cdecl("softsortkit_apply_transposed_backward_f32")
public func softsortkit_apply_transposed_backward_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Float>?,
    _ gradScores: UnsafeMutablePointer<Float>?, _ gradValues: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .transposed, options, scores, batch, count, values, dimension, gradOutput, gradScores, gradValues, pathUsed)
}

@_cdecl("softsortkit_apply_transposed_backward_f64")
public func softsortkit_apply_transposed_backward_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Double>?,
    _ gradScores: UnsafeMutablePointer<Double>?, _ gradValues: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .transposed, options, scores, batch, count, values, dimension, gradOutput, gradScores, gradValues, pathUsed)
}

@_cdecl("softsortkit_top_k_f32")
public func softsortkit_top_k_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ k: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(.topK(k), options, scores, batch, count, values, dimension, output, pathUsed)
}

@_cdecl("softsortkit_top_k_f64")
public func softsortkit_top_k_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ k: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(.topK(k), options, scores, batch, count, values, dimension, output, pathUsed)
}

@_cdecl("softsortkit_top_k_backward_f32")
public func softsortkit_top_k_backward_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ k: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Float>?,
    _ gradScores: UnsafeMutablePointer<Float>?, _ gradValues: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .topK(k), options, scores, batch, count, values, dimension, gradOutput, gradScores, gradValues, pathUsed)
}

@_cdecl("softsortkit_top_k_backward_f64")
public func softsortkit_top_k_backward_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ k: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Double>?,
    _ gradScores: UnsafeMutablePointer<Double>?, _ gradValues: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .topK(k), options, scores, batch, count, values, dimension, gradOutput, gradScores, gradValues, pathUsed)
}

@_cdecl("softsortkit_quantiles_f32")
public func softsortkit_quantiles_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ levels: UnsafePointer<Double>?, _ levelCount: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(
        .quantiles(levels, levelCount), options, scores, batch, count, values, dimension, output,
        pathUsed)
}

@_cdecl("softsortkit_quantiles_f64")
public func softsortkit_quantiles_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ levels: UnsafePointer<Double>?, _ levelCount: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ output: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.forward(
        .quantiles(levels, levelCount), options, scores, batch, count, values, dimension, output,
        pathUsed)
}

@_cdecl("softsortkit_quantiles_backward_f32")
public func softsortkit_quantiles_backward_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ levels: UnsafePointer<Double>?, _ levelCount: Int64,
    _ values: UnsafePointer<Float>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Float>?,
    _ gradScores: UnsafeMutablePointer<Float>?, _ gradValues: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .quantiles(levels, levelCount), options, scores, batch, count, values, dimension, gradOutput, gradScores,
        gradValues, pathUsed)
}

@_cdecl("softsortkit_quantiles_backward_f64")
public func softsortkit_quantiles_backward_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ levels: UnsafePointer<Double>?, _ levelCount: Int64,
    _ values: UnsafePointer<Double>?, _ dimension: Int64, _ gradOutput: UnsafePointer<Double>?,
    _ gradScores: UnsafeMutablePointer<Double>?, _ gradValues: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ProductCalls.backward(
        .quantiles(levels, levelCount), options, scores, batch, count, values, dimension, gradOutput, gradScores,
        gradValues, pathUsed)
}
