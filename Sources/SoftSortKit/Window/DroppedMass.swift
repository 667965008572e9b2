#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension WindowEngine {
    /// An upper bound on the mass the dense `P` puts outside ranks
    /// `low ..< low + width` of row `rank`.
    ///
    /// Distances grow away from the row's own rank in sorted order, so each of
    /// the `low` columns dropped on one side has a logit at most the nearest
    /// dropped one's, `z_low`, and likewise on the other side: the dropped sum
    /// `D <= low exp(z_low) + (n - low - width) exp(z_high)`. With the kept
    /// sum `Z~ = 1 / P~[i, i]` (the diagonal term is `exp(0) = 1`), the dropped
    /// mass is `D / (Z~ + D)`, increasing in `D` and decreasing in `Z~`; `Z~`
    /// is taken `width` rounding errors low, and the result is rounded up.
    static func droppedMassBound<T: VectorScalar>(
        sorted x: UnsafePointer<T>, count n: Int, rank i: Int, low: Int, width: Int, diagonal: T,
        temperature: T, power: DistancePower
    ) -> T {
        let high = low + width  // first dropped rank after the window
        let tau = Double(temperature), centre = Double(x[i])
        var dropped = 0.0
        if low > 0 {
            dropped += Double(low) * exp(-Distance.value(Double(x[low - 1]) - centre, power) / tau)
        }
        if high < n {
            dropped += Double(n - high) * exp(-Distance.value(Double(x[high]) - centre, power) / tau)
        }
        guard low > 0 || high < n else { return 0 }
        let keptLow = (1 / Double(diagonal)) / (1 + 4 * Double(width + 8) * Double(T.ulpOfOne))
        var bound = dropped / (max(keptLow, 1) + dropped) * (1 + 0x1p-40)
        bound = max(bound, Double(T.leastNonzeroMagnitude))  // a dropped column has mass > 0
        var rounded = T(min(bound, 1))
        if Double(rounded) < bound { rounded = rounded.nextUp }
        return rounded
    }
}
