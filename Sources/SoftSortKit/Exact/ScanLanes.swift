/// What the scan kernels compute in: either one element (a batch row scanned
/// on its own) or one SIMD vector whose lanes are as many batch rows scanned
/// in lockstep.
///
/// A block of `laneCount` batch rows is stored interleaved: element `i` of
/// lane `l` sits at `i * laneCount + l` (with a value dimension `d`, element
/// `(i, k)` at `(i * d + k) * laneCount + l`), so one contiguous load reads
/// element `i` of every row of the block. With `laneCount = 1` that is the
/// plain row layout.
protocol ScanLanes {
    associatedtype LaneScalar: VectorScalar

    /// The number of batch rows scanned together.
    static var laneCount: Int { get }
    static var zero: Self { get }
    init(repeating value: LaneScalar)

    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self

    /// `laneCount` consecutive elements from `base`.
    static func load(_ base: UnsafePointer<LaneScalar>) -> Self
    /// Writes `laneCount` consecutive elements at `base`.
    func store(_ base: UnsafeMutablePointer<LaneScalar>)
    /// `exp(x)` for `x <= 0`: the kernels' `expNonPositive` (flushes below
    /// `2^-96` for `Float`, `2^-960` for `Double`, to keep subnormals out).
    static func expNonPositive(_ x: Self) -> Self
    /// `-|x|`.
    static func negativeMagnitude(_ x: Self) -> Self
}

extension ScanLanes {
    @inline(__always)
    static func load(_ base: UnsafeMutablePointer<LaneScalar>) -> Self { load(UnsafePointer(base)) }
}

/// The element types with scan kernels: one element is a one-lane block, and
/// each type names its SIMD lane type.
protocol ScanScalar: VectorScalar, ScanLanes where LaneScalar == Self {
    /// One SIMD vector of batch rows in lockstep (8 `Float`, 4 `Double`).
    associatedtype BatchLanes: ScanLanes where BatchLanes.LaneScalar == Self
}

extension Float: ScanScalar {
    typealias BatchLanes = SIMD8<Float>
}

extension Double: ScanScalar {
    typealias BatchLanes = SIMD4<Double>
}

extension Float: ScanLanes {
    typealias LaneScalar = Float
    static var laneCount: Int { 1 }
    @inline(__always) init(repeating value: Float) { self = value }
    @inline(__always) static func load(_ base: UnsafePointer<Float>) -> Float { base.pointee }
    @inline(__always) func store(_ base: UnsafeMutablePointer<Float>) { base.pointee = self }
    @inline(__always) static func negativeMagnitude(_ x: Float) -> Float { -abs(x) }
}

extension Double: ScanLanes {
    typealias LaneScalar = Double
    static var laneCount: Int { 1 }
    @inline(__always) init(repeating value: Double) { self = value }
    @inline(__always) static func load(_ base: UnsafePointer<Double>) -> Double { base.pointee }
    @inline(__always) func store(_ base: UnsafeMutablePointer<Double>) { base.pointee = self }
    @inline(__always) static func negativeMagnitude(_ x: Double) -> Double { -abs(x) }
}

extension SIMD8: ScanLanes where Scalar == Float {
    typealias LaneScalar = Float
    static var laneCount: Int { 8 }
    @inline(__always) static func load(_ base: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(base).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) func store(_ base: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(base).storeBytes(of: self, as: SIMD8<Float>.self)
    }
    @inline(__always) static func expNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> { Float.expNonPositive(x) }
    @inline(__always) static func negativeMagnitude(_ x: SIMD8<Float>) -> SIMD8<Float> {
        Float.negativeMagnitude(x)
    }
}

extension SIMD4: ScanLanes where Scalar == Double {
    typealias LaneScalar = Double
    static var laneCount: Int { 4 }
    @inline(__always) static func load(_ base: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(base).loadUnaligned(as: SIMD4<Double>.self)
    }
    @inline(__always) func store(_ base: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(base).storeBytes(of: self, as: SIMD4<Double>.self)
    }
    @inline(__always) static func expNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> { Double.expNonPositive(x) }
    @inline(__always) static func negativeMagnitude(_ x: SIMD4<Double>) -> SIMD4<Double> {
        Double.negativeMagnitude(x)
    }
}
