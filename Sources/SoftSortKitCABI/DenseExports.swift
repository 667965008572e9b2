// The C entry points of softsortkit.h's "SoftSort and NeuralSort: the matrices" section.

@_cdecl("softsortkit_softsort_forward_f32")
public func softsortkit_softsort_forward_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ matrices: UnsafeMutablePointer<Float>?, _ permutation: UnsafeMutablePointer<Int64>?
) -> Int32 {
    DenseCalls.forward(.softSort(power: power), scores, batch, count, temperature, direction, matrices, permutation)
}

@_cdecl("softsortkit_softsort_forward_f64")
public func softsortkit_softsort_forward_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ matrices: UnsafeMutablePointer<Double>?, _ permutation: UnsafeMutablePointer<Int64>?
) -> Int32 {
    DenseCalls.forward(.softSort(power: power), scores, batch, count, temperature, direction, matrices, permutation)
}

@_cdecl("softsortkit_softsort_backward_f32")
public func softsortkit_softsort_backward_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ gradMatrices: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?
) -> Int32 {
    DenseCalls.backward(.softSort(power: power), scores, batch, count, temperature, direction, gradMatrices, gradScores)
}

@_cdecl("softsortkit_softsort_backward_f64")
public func softsortkit_softsort_backward_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ gradMatrices: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?
) -> Int32 {
    DenseCalls.backward(.softSort(power: power), scores, batch, count, temperature, direction, gradMatrices, gradScores)
}

@_cdecl("softsortkit_neuralsort_forward_f32")
public func softsortkit_neuralsort_forward_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ direction: Int32,
    _ matrices: UnsafeMutablePointer<Float>?, _ permutation: UnsafeMutablePointer<Int64>?
) -> Int32 {
    DenseCalls.forward(.neuralSort, scores, batch, count, temperature, direction, matrices, permutation)
}

@_cdecl("softsortkit_neuralsort_forward_f64")
public func softsortkit_neuralsort_forward_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ direction: Int32,
    _ matrices: UnsafeMutablePointer<Double>?, _ permutation: UnsafeMutablePointer<Int64>?
) -> Int32 {
    DenseCalls.forward(.neuralSort, scores, batch, count, temperature, direction, matrices, permutation)
}

@_cdecl("softsortkit_neuralsort_backward_f32")
public func softsortkit_neuralsort_backward_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ direction: Int32,
    _ gradMatrices: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?
) -> Int32 {
    DenseCalls.backward(.neuralSort, scores, batch, count, temperature, direction, gradMatrices, gradScores)
}

@_cdecl("softsortkit_neuralsort_backward_f64")
public func softsortkit_neuralsort_backward_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ direction: Int32,
    _ gradMatrices: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?
) -> Int32 {
    DenseCalls.backward(.neuralSort, scores, batch, count, temperature, direction, gradMatrices, gradScores)
}
