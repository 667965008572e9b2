/// The scans of `ScanKernels`, one struct each, so that `BlockScan.run(lanes:)`
/// picks the lane type in one place. Pointers are at the block's first element.

struct PrepareScan<Scalar: ScanScalar>: BlockScan {
    let sorted: UnsafePointer<Scalar>
    let factors: UnsafeMutablePointer<Scalar>
    let left: UnsafeMutablePointer<Scalar>
    let right: UnsafeMutablePointer<Scalar>
    let count: Int
    let inverseTemperature: Scalar

    func run<S: ScanLanes>(_: S.Type) where S.LaneScalar == Scalar {
        ScanKernels.prepare(
            S.self, sorted: sorted, factors: factors, left: left, right: right, count: count,
            inverseTemperature: inverseTemperature)
    }
}

/// `P W` (`transposed: false`) or `P^T U` (`true`).
struct ProductScan<Scalar: ScanScalar>: BlockScan {
    let factors: UnsafePointer<Scalar>
    let left: UnsafePointer<Scalar>
    let right: UnsafePointer<Scalar>
    let input: UnsafePointer<Scalar>
    let output: UnsafeMutablePointer<Scalar>
    let running: UnsafeMutablePointer<Scalar>
    let count: Int
    let dimension: Int
    let transposed: Bool

    func run<S: ScanLanes>(_: S.Type) where S.LaneScalar == Scalar {
        if transposed {
            ScanKernels.applyTransposed(
                S.self, factors: factors, left: left, right: right, rows: input, output: output, count: count,
                dimension: dimension, running: running)
        } else {
            ScanKernels.apply(
                S.self, factors: factors, left: left, right: right, values: input, output: output, count: count,
                dimension: dimension, running: running)
        }
    }
}

struct BackwardScan<Scalar: ScanScalar>: BlockScan {
    let factors: UnsafePointer<Scalar>
    let left: UnsafePointer<Scalar>
    let right: UnsafePointer<Scalar>
    let values: UnsafePointer<Scalar>
    let gradient: UnsafePointer<Scalar>
    let valueGradient: UnsafeMutablePointer<Scalar>
    let scoreGradient: UnsafeMutablePointer<Scalar>
    let output: UnsafeMutablePointer<Scalar>?
    let count: Int
    let dimension: Int
    let scale: Scalar
    let scratch: UnsafeMutablePointer<Scalar>

    func run<S: ScanLanes>(_: S.Type) where S.LaneScalar == Scalar {
        ScanKernels.applyBackward(
            S.self, factors: factors, left: left, right: right, values: values, gradient: gradient,
            valueGradient: valueGradient, scoreGradient: scoreGradient, output: output, count: count,
            dimension: dimension, scale: scale, scratch: scratch)
    }
}

struct NormalizerGradientScan<Scalar: ScanScalar>: BlockScan {
    let factors: UnsafePointer<Scalar>
    let left: UnsafePointer<Scalar>
    let right: UnsafePointer<Scalar>
    let scoreGradient: UnsafeMutablePointer<Scalar>
    let count: Int
    let scale: Scalar
    /// `2 count` lane vectors.
    let scratch: UnsafeMutablePointer<Scalar>

    func run<S: ScanLanes>(_: S.Type) where S.LaneScalar == Scalar {
        ScanKernels.logNormalizerGradient(
            S.self, factors: factors, left: left, right: right, scoreGradient: scoreGradient, count: count,
            scale: scale, scratch: scratch)
    }
}
