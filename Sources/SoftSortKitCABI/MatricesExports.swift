// The C entry points of softsortkit.h's "The matrices and the hard permutation" section.

@_cdecl("softsortkit_matrices_f32")
public func softsortkit_matrices_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ matrices: UnsafeMutablePointer<Float>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    MatricesCalls.forward(options, scores, batch, count, matrices, pathUsed)
}

@_cdecl("softsortkit_matrices_f64")
public func softsortkit_matrices_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ matrices: UnsafeMutablePointer<Double>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    MatricesCalls.forward(options, scores, batch, count, matrices, pathUsed)
}

@_cdecl("softsortkit_matrices_backward_f32")
public func softsortkit_matrices_backward_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ gradMatrices: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    MatricesCalls.backward(options, scores, batch, count, gradMatrices, gradScores, pathUsed)
}

@_cdecl("softsortkit_matrices_backward_f64")
public func softsortkit_matrices_backward_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ gradMatrices: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    MatricesCalls.backward(options, scores, batch, count, gradMatrices, gradScores, pathUsed)
}

@_cdecl("softsortkit_permutation_f32")
public func softsortkit_permutation_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ permutation: UnsafeMutablePointer<Int64>?
) -> Int32 {
    MatricesCalls.permutation(options, scores, batch, count, permutation)
}

@_cdecl("softsortkit_permutation_f64")
public func softsortkit_permutation_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ permutation: UnsafeMutablePointer<Int64>?
) -> Int32 {
    MatricesCalls.permutation(options, scores, batch, count, permutation)
}
