import SoftSortKit

/// The generic bodies of the fused product exports (`softsortkit_softsort_apply*`).
enum ApplyCalls<T: ABIScalar> {
    /// The checked inputs of a product call.
    private static func inputs(
        _ values: UnsafePointer<T>?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ dimension: Int64,
        _ direction: Int32
    ) throws(Failure) -> (shape: Shape, d: Int, direction: SortDirection, values: [T], scores: [T]) {
        let shape = try Shape(batch: batch, count: count, dimension: dimension)
        let d = Int(dimension)
        return (
            shape, d, try Settings.direction(direction),
            try Boundary.read("values", values, count: shape.rows * d),
            try Boundary.read("scores", scores, count: shape.rows))
    }

    /// The fused `P V` of the library.
    private static func product(
        _ input: (shape: Shape, d: Int, direction: SortDirection, values: [T], scores: [T]), _ temperature: Double,
        _ power: Double
    ) throws(Failure) -> RelaxedProduct<T> {
        try library { () throws(SoftSortError) in
            try Operators.softSort(temperature: temperature, power: power, direction: input.direction).apply(
                to: input.values, scores: input.scores, batch: input.shape.batch, count: input.shape.count,
                dimension: input.d)
        }
    }

    static func forward(
        _ values: UnsafePointer<T>?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ dimension: Int64,
        _ temperature: Double, _ power: Double, _ direction: Int32, _ output: UnsafeMutablePointer<T>?
    ) -> Int32 {
        guarded { () throws(Failure) in
            let input = try inputs(values, scores, batch, count, dimension, direction)
            try Boundary.require("output", output, count: input.shape.rows * input.d)
            Boundary.write(try product(input, temperature, power).values, to: output)
        }
    }

    static func backward(
        _ values: UnsafePointer<T>?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ dimension: Int64,
        _ temperature: Double, _ power: Double, _ direction: Int32, _ gradOutput: UnsafePointer<T>?,
        _ gradScores: UnsafeMutablePointer<T>?, _ gradValues: UnsafeMutablePointer<T>?
    ) -> Int32 {
        guarded { () throws(Failure) in
            let input = try inputs(values, scores, batch, count, dimension, direction)
            let upstream = try Boundary.read("grad_output", gradOutput, count: input.shape.rows * input.d)
            try Boundary.require("grad_scores", gradScores, count: input.shape.rows)
            let result = try product(input, temperature, power)
            let gradient = try library { () throws(SoftSortError) in try result.backward(upstream) }
            Boundary.write(gradient.scores, to: gradScores)
            Boundary.write(gradient.values, to: gradValues)
        }
    }
}
