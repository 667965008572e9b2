import _Differentiation
import SoftSortKit

/// The element types the differentiable wrappers compute in: `Float` and
/// `Double`, each its own tangent vector.
///
/// `[T]` is then `Differentiable` with `Array<T>.TangentVector`, so
/// `gradient(at:of:)` and `valueWithPullback(at:of:)` work over score and
/// value arrays directly.
public protocol DifferentiableSortScalar: SoftSortScalar, Differentiable where TangentVector == Self {}

extension Float: DifferentiableSortScalar {}
extension Double: DifferentiableSortScalar {}

extension Array where Element: DifferentiableSortScalar {
    /// The plain elements of a tangent vector of an array of `count`
    /// elements. The zero tangent vector of an array is empty (its
    /// `.zero`), so an empty vector reads as `count` zeros.
    @usableFromInline
    static func elements(of tangent: Array<Element>.TangentVector, count: Int) -> [Element] {
        if tangent.base.isEmpty { return [Element](repeating: 0, count: count) }
        precondition(tangent.base.count == count, "a tangent vector of \(tangent.base.count) elements for \(count)")
        return tangent.base
    }
}

/// Runs a library call that Swift cannot differentiate as a throwing
/// function: an error there (a non-finite score, a target out of range) stops
/// the program with the error's description. Parameters and shapes were
/// checked when the wrapper was made, so only the data can fail here.
@usableFromInline
func unwrap<R>(_ body: () throws(SoftSortError) -> R) -> R {
    do { return try body() } catch { preconditionFailure("SoftSortKitDifferentiable: \(error)") }
}
