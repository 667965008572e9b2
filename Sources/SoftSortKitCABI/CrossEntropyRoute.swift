import SoftSortKit

/// How the ABI computes SoftSort's cross-entropy: the one function to change
/// when the library's fused loss (`SoftSort.crossEntropy(scores:targets:...)`,
/// issue 10) is in this build. Until then `.automatic` runs the exact scan
/// for `p == 1` and the dense route otherwise, and `.fused` is unsupported.
enum CrossEntropyRoute<T: ABIScalar> {
    static func softSort(
        scores: [T], targets: [Int], shape: Shape, temperature: Double, power: Double, direction: SortDirection,
        path requested: LossPathCode, wantsGradient: Bool
    ) throws(Failure) -> LossResult<T> {
        let path: LossPathCode
        switch requested {
        case .automatic: path = power == 1 ? .exact : .dense
        case .fused: throw .unsupported("the fused loss path is not in this build of SoftSortKit: use automatic, dense or exact")
        case .exact, .dense: path = requested
        }
        switch path {
        case .exact:
            guard power == 1 else {
                throw .unsupported("the exact loss path needs power 1, got \(power): use automatic or dense")
            }
            let loss = try library { () throws(SoftSortError) in
                try Operators.exact(temperature: temperature, direction: direction)
                    .forward(scores: scores, batch: shape.batch, count: shape.count)
                    .crossEntropy(targets: targets)
            }
            return LossResult(value: loss.value, gradient: wantsGradient ? loss.gradient : [], path: .exact)
        default:
            return try DenseCrossEntropy<T>.softSort(
                scores: scores, targets: targets, shape: shape, temperature: temperature, power: power,
                direction: direction, wantsGradient: wantsGradient)
        }
    }
}
