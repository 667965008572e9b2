/// The element types SoftSortKit computes in: `Float` and `Double`.
///
/// Each conforming type brings its own specialized kernels, so a generic call
/// such as `SoftSort().forward(scores: [Float](...), ...)` runs code compiled
/// for that type. Do not conform other types; the requirements starting with
/// an underscore are implementation details.
public protocol SoftSortScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
    /// The row kernels for `backend`, specialized for this type.
    static func _kernels(for backend: Backend) -> _RowKernels<Self>
}

extension Float: SoftSortScalar {
    public static func _kernels(for backend: Backend) -> _RowKernels<Float> {
        _RowKernels<Float>.make(backend)
    }
}

extension Double: SoftSortScalar {
    public static func _kernels(for backend: Backend) -> _RowKernels<Double> {
        _RowKernels<Double>.make(backend)
    }
}
