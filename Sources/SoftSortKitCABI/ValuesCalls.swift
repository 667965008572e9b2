import SoftSortKit

/// The generic bodies of the outputs computed from the scores alone:
/// `sortedValues()`, `ranks()` and `logNormalizers()` of `RelaxedPermutation`.
enum ValuesCalls<T: ABIScalar> {
    private static func values(_ output: ValuesOutput, _ result: RelaxedPermutation<T>) throws -> RelaxedValues<T> {
        switch output {
        case .sortedValues: return try result.sortedValues()
        case .ranks: return try result.ranks()
        }
    }

    /// The forward, its output copied out; on the `O(B n)` paths the result
    /// stays in the workspace for a backward of the same call (`KeptValues`).
    static func forward(
        _ output: ValuesOutput, _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ destination: UnsafeMutablePointer<T>?, _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.pooled(options, scores, batch, count, pathUsed) { pooled, options, input in
            pooled.kept = nil
            let values = try values(output, try options.forward(
                scores: input, batch: Int(batch), count: Int(count), workspace: pooled.workspace))
            try Boundary.write("output", values.values, to: destination)
            pooled.kept = KeptValues(output, options, input, batch: batch, count: count, values)
            return values.path
        }
    }

    /// The backward: the kept forward's when it was computed from the same
    /// scores, options and backend (bit for bit), else a new forward's.
    static func backward(
        _ output: ValuesOutput, _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ gradOutput: UnsafePointer<T>?, _ gradScores: UnsafeMutablePointer<T>?,
        _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.pooled(options, scores, batch, count, pathUsed) { pooled, options, input in
            let values: RelaxedValues<T>
            if let kept = pooled.kept, kept.matches(output, options, input, batch: batch, count: count) {
                values = kept.values
            } else {
                pooled.kept = nil
                values = try Self.values(output, try options.forward(
                    scores: input, batch: Int(batch), count: Int(count), workspace: pooled.workspace))
            }
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
