import SoftSortKit

/// The frame of every output call: the options read, the scores copied in,
/// the library's forward run (`CallOptions.forward`) with a pooled
/// workspace, then `body`, which computes one output of the
/// `RelaxedPermutation`, copies it out and returns the path that ran, which
/// goes to `path_used` (nullable).
///
/// Backward calls compute the output again and run its `backward`, except
/// the sorted values' and ranks' right after their forward on the same
/// arguments (`KeptValues`, through `pooled`): nothing else is kept between
/// calls but the workspaces.
enum Call<T: ABIScalar> {
    static func run(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ pathUsed: UnsafeMutablePointer<Int32>?, _ body: (RelaxedPermutation<T>) throws -> SoftSortPath
    ) -> Int32 {
        pooled(options, scores, batch, count, pathUsed) { pooled, options, input in
            // What the last call kept goes first: its storage is this forward's.
            pooled.kept = nil
            return try body(
                try options.forward(scores: input, batch: Int(batch), count: Int(count), workspace: pooled.workspace))
        }
    }

    /// The frame itself: the options read, the scores copied in, and `body`
    /// with a pooled workspace, which runs the forward it needs (or none:
    /// `ValuesCalls.backward` with a `KeptValues` that matches).
    static func pooled(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ pathUsed: UnsafeMutablePointer<Int32>?,
        _ body: (PooledWorkspace<T>, CallOptions, [T]) throws -> SoftSortPath
    ) -> Int32 {
        guarded {
            let options = try CallOptions(options)
            let rows = try Shape.elements(batch, "batch", count, "count")
            let input = try Boundary.read("scores", scores, count: rows)
            let path = try T.pool.withWorkspace { pooled in
                let path = try body(pooled, options, input)
                return (path, ScratchPool<T>.oversized(path: path, batch: Int(batch), count: Int(count)))
            }
            pathUsed?.pointee = PathCode.of(path)
        }
    }

    /// `run` for an output that has no path (the hard permutation).
    static func run(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ body: (RelaxedPermutation<T>) throws -> Void
    ) -> Int32 {
        run(options, scores, batch, count, nil) { result in
            try body(result)
            return .automatic
        }
    }
}
