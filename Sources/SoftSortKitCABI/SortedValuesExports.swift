// The C entry points of softsortkit.h's "Relaxed sorted values and ranks" section.

@_cdecl("softsortkit_softsort_sorted_values_f32")
public func softsortkit_softsort_sorted_values_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    SortedValuesCalls.forward(.sortedValues, scores, batch, count, temperature, power, direction, output)
}

@_cdecl("softsortkit_softsort_sorted_values_f64")
public func softsortkit_softsort_sorted_values_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    SortedValuesCalls.forward(.sortedValues, scores, batch, count, temperature, power, direction, output)
}

@_cdecl("softsortkit_softsort_sorted_values_backward_f32")
public func softsortkit_softsort_sorted_values_backward_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ gradOutput: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?
) -> Int32 {
    SortedValuesCalls.backward(.sortedValues, scores, batch, count, temperature, power, direction, gradOutput, gradScores)
}

@_cdecl("softsortkit_softsort_sorted_values_backward_f64")
public func softsortkit_softsort_sorted_values_backward_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ gradOutput: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?
) -> Int32 {
    SortedValuesCalls.backward(.sortedValues, scores, batch, count, temperature, power, direction, gradOutput, gradScores)
}

@_cdecl("softsortkit_softsort_ranks_f32")
public func softsortkit_softsort_ranks_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    SortedValuesCalls.forward(.ranks, scores, batch, count, temperature, power, direction, output)
}

@_cdecl("softsortkit_softsort_ranks_f64")
public func softsortkit_softsort_ranks_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    SortedValuesCalls.forward(.ranks, scores, batch, count, temperature, power, direction, output)
}

@_cdecl("softsortkit_softsort_ranks_backward_f32")
public func softsortkit_softsort_ranks_backward_f32(
    _ scores: UnsafePointer<Float>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ gradOutput: UnsafePointer<Float>?, _ gradScores: UnsafeMutablePointer<Float>?
) -> Int32 {
    SortedValuesCalls.backward(.ranks, scores, batch, count, temperature, power, direction, gradOutput, gradScores)
}

@_cdecl("softsortkit_softsort_ranks_backward_f64")
public func softsortkit_softsort_ranks_backward_f64(
    _ scores: UnsafePointer<Double>?, _ batch: Int64, _ count: Int64, _ temperature: Double, _ power: Double,
    _ direction: Int32, _ gradOutput: UnsafePointer<Double>?, _ gradScores: UnsafeMutablePointer<Double>?
) -> Int32 {
    SortedValuesCalls.backward(.ranks, scores, batch, count, temperature, power, direction, gradOutput, gradScores)
}
