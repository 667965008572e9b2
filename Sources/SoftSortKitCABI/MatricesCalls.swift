import SoftSortKit

/// The generic bodies of `softsortkit_matrices*`: `RelaxedPermutation.matrices()`.
enum MatricesCalls<T: ABIScalar> {
    static func forward(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ matrices: UnsafeMutablePointer<T>?, _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let output = try result.matrices()
            try Boundary.write("matrices", output.values, to: matrices)
            return output.path
        }
    }

    static func backward(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ gradMatrices: UnsafePointer<T>?, _ gradScores: UnsafeMutablePointer<T>?,
        _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let output = try result.matrices()
            let upstream = try Boundary.read("grad_matrices", gradMatrices, count: output.values.count)
            try Boundary.write("grad_scores", try output.backward(upstream), to: gradScores)
            return output.path
        }
    }

    /// The hard permutations, `RelaxedPermutation.permutation`.
    static func permutation(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ permutation: UnsafeMutablePointer<Int64>?
    ) -> Int32 {
        Call.run(options, scores, batch, count) { result in
            try Boundary.write("permutation", indices: result.permutation, to: permutation)
        }
    }
}
