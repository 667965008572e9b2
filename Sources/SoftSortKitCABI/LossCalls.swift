import SoftSortKit

/// The generic bodies of the losses, `crossEntropy(targets:)` and
/// `nearestNeighborLoss(matches:k:)` of `RelaxedPermutation`: the loss and
/// (nullable) `dL/ds` from one call.
enum LossCalls<T: ABIScalar> {
    static func crossEntropy(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ targets: UnsafePointer<Int64>?, _ loss: UnsafeMutablePointer<T>?, _ gradScores: UnsafeMutablePointer<T>?,
        _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let columns = try Boundary.readIndices("targets", targets, count: result.batch * result.count)
            return try write(try result.crossEntropy(targets: columns), loss, gradScores)
        }
    }

    static func nearestNeighbors(
        _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ matches: UnsafePointer<T>?, _ k: Int64, _ loss: UnsafeMutablePointer<T>?,
        _ gradScores: UnsafeMutablePointer<T>?, _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let matches = try Boundary.read("matches", matches, count: result.batch * result.count)
            return try write(try result.nearestNeighborLoss(matches: matches, k: Int(k)), loss, gradScores)
        }
    }

    private static func write(
        _ result: Loss<T>, _ loss: UnsafeMutablePointer<T>?, _ gradScores: UnsafeMutablePointer<T>?
    ) throws -> SoftSortPath {
        try Boundary.write("loss", scalar: result.value, to: loss)
        Boundary.writeIfGiven(result.gradient, to: gradScores)
        return result.path
    }
}
