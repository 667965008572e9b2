// The C entry points of softsortkit.h's "The fused product Y = P V" section.

@_cdecl("softsortkit_softsort_apply_f32")
public func softsortkit_softsort_apply_f32(
    _ values: UnsafePointer<Float>?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ dimension: Int64, _ temperature: Double, _ power: Double, _ direction: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    ApplyCalls.forward(values, scores, batch, count, dimension, temperature, power, direction, output)
}

@_cdecl("softsortkit_softsort_apply_f64")
public func softsortkit_softsort_apply_f64(
    _ values: UnsafePointer<Double>?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ dimension: Int64, _ temperature: Double, _ power: Double, _ direction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    ApplyCalls.forward(values, scores, batch, count, dimension, temperature, power, direction, output)
}

@_cdecl("softsortkit_softsort_apply_backward_f32")
public func softsortkit_softsort_apply_backward_f32(
    _ values: UnsafePointer<Float>?, _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64,
    _ dimension: Int64, _ temperature: Double, _ power: Double, _ direction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?,
    _ gradValues: UnsafeMutablePointer<Float>?
) -> Int32 {
    ApplyCalls.backward(
        values, scores, batch, count, dimension, temperature, power, direction, gradOutput, gradScores, gradValues)
}

@_cdecl("softsortkit_softsort_apply_backward_f64")
public func softsortkit_softsort_apply_backward_f64(
    _ values: UnsafePointer<Double>?, _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64,
    _ dimension: Int64, _ temperature: Double, _ power: Double, _ direction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?,
    _ gradValues: UnsafeMutablePointer<Double>?
) -> Int32 {
    ApplyCalls.backward(
        values, scores, batch, count, dimension, temperature, power, direction, gradOutput, gradScores, gradValues)
}
