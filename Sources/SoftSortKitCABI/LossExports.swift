// The C entry points of softsortkit.h's "Losses" section.

@_cdecl("softsortkit_cross_entropy_f32")
public func softsortkit_cross_entropy_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ targets: UnsafePointer<Int64>?, _ loss: UnsafeMutablePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    LossCalls.crossEntropy(options, scores, batch, count, targets, loss, gradScores, pathUsed)
}

@_cdecl("softsortkit_cross_entropy_f64")
public func softsortkit_cross_entropy_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ targets: UnsafePointer<Int64>?, _ loss: UnsafeMutablePointer<Double>?,
    _ gradScores: UnsafeMutablePointer<Double>?,
    _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    LossCalls.crossEntropy(options, scores, batch, count, targets, loss, gradScores, pathUsed)
}

@_cdecl("softsortkit_nearest_neighbor_loss_f32")
public func softsortkit_nearest_neighbor_loss_f32(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ matches: UnsafePointer<Float>?, _ k: Int64, _ loss: UnsafeMutablePointer<Float>?,
    _ gradScores: UnsafeMutablePointer<Float>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    LossCalls.nearestNeighbors(options, scores, batch, count, matches, k, loss, gradScores, pathUsed)
}

@_cdecl("softsortkit_nearest_neighbor_loss_f64")
public func softsortkit_nearest_neighbor_loss_f64(
    _ options: UnsafeRawPointer?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ matches: UnsafePointer<Double>?, _ k: Int64, _ loss: UnsafeMutablePointer<Double>?,
    _ gradScores: UnsafeMutablePointer<Double>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    LossCalls.nearestNeighbors(options, scores, batch, count, matches, k, loss, gradScores, pathUsed)
}
