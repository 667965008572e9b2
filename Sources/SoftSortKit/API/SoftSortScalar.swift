/// The element types SoftSortKit computes in: `Float` and `Double`.
///
/// Each conforming type carries its ``KernelSet``, so a generic call such as
/// `SoftSort().forward(scores: [Float](...), ...)` runs code compiled for
/// that type. SoftSortKit conforms `Float` and `Double`; conform no other type.
public protocol SoftSortScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
    /// The kernels compiled for this type (opaque), built on first use.
    ///
    /// - Complexity: O(1) after the first call.
    static var kernelSet: KernelSet<Self> { get }
}

extension Float: SoftSortScalar {
    /// The `Float` kernels: Swift SIMD, scalar, and the AVX2+FMA C kernels.
    public static var kernelSet: KernelSet<Float> { floatKernelSet }
}

extension Double: SoftSortScalar {
    /// The `Double` kernels: Swift SIMD and scalar (no C kernels).
    public static var kernelSet: KernelSet<Double> { doubleKernelSet }
}
