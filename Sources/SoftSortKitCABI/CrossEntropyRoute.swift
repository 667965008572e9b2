import SoftSortKit

/// How the ABI computes SoftSort's cross-entropy: the library's
/// `SoftSort.crossEntropy(scores:targets:batch:count:path:workspace:)` (issue
/// 10's fused loss API) with a pooled `LossWorkspace`, so a training loop
/// allocates nothing in the steady state. `.automatic` is the library's
/// choice (`p == 1`: the exact scan; otherwise the fused rows).
enum CrossEntropyRoute<T: ABIScalar> {
    /// Runs the loss, writes `dL/ds` to `gradient` (when given) while the
    /// workspace is still this call's, and returns the loss and the path that ran.
    static func softSort(
        scores: [T], targets: [Int], shape: Shape, temperature: Double, power: Double, direction: SortDirection,
        path requested: LossPathCode, gradient destination: UnsafeMutablePointer<T>?
    ) throws(Failure) -> (value: T, path: LossPathCode) {
        try T.pool.withScratch { scratch throws(Failure) in
            let loss = try library { () throws(SoftSortError) in
                try Operators.softSort(temperature: temperature, power: power, direction: direction).crossEntropy(
                    scores: scores, targets: targets, batch: shape.batch, count: shape.count,
                    path: requested.lossPath, workspace: scratch.loss)
            }
            Boundary.write(loss.gradient, to: destination)
            return (loss.value, LossPathCode(loss.path))
        }
    }
}
