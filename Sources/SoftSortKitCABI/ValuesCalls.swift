import SoftSortKit

/// The generic bodies of the outputs computed from the scores alone:
/// `sortedValues()`, `ranks()` and `logNormalizers()` of `RelaxedPermutation`.
enum ValuesCalls<T: ABIScalar> {
    /// Which output a call computes.
    enum Output {
        /// `P s`.
        case sortedValues
        /// `P^T (1, ..., n)`.
        case ranks
    }

    private static func values(_ output: Output, _ result: RelaxedPermutation<T>) throws -> RelaxedValues<T> {
        switch output {
        case .sortedValues: return try result.sortedValues()
        case .ranks: return try result.ranks()
        }
    }

    static func forward(
        _ output: Output, _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ destination: UnsafeMutablePointer<T>?, _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let values = try values(output, result)
            try Boundary.write("output", values.values, to: destination)
            return values.path
        }
    }

    static func backward(
        _ output: Output, _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ gradOutput: UnsafePointer<T>?, _ gradScores: UnsafeMutablePointer<T>?,
        _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let values = try values(output, result)
            let upstream = try Boundary.read("grad_output", gradOutput, count: values.values.count)
            try Boundary.write("grad_scores", try values.backward(upstream), to: gradScores)
            return values.path
        }
    }

    /// `log Z` of every row of every `P` (no backward).
    static func logNormalizers(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ destination: UnsafeMutablePointer<T>?, _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            // The library's choice for this output, as logNormalizers() makes it.
            let path = try result.path(for: "logNormalizers")!
            try Boundary.write("output", try result.logNormalizers(), to: destination)
            return path
        }
    }
}
