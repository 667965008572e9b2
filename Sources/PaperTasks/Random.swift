import Foundation

/// SplitMix64: the one random stream of the tasks (splits, batches, weights,
/// noise), so every run repeats exactly from its seeds.
package struct SplitMix: RandomNumberGenerator {
    package var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    package mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in `0 ..< bound` (`bound >= 1`; the modulo bias is below 2^-50 for the bounds used here).
    package mutating func index(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// A standard normal sample (Box-Muller).
    package mutating func normal() -> Double {
        let u = max(nextUnit(), 0x1p-60), v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A standard Gumbel sample, `-log(-log u)`.
    package mutating func gumbel() -> Double {
        let u = min(max(nextUnit(), 0x1p-60), 1 - 0x1p-53)
        return -log(-log(u))
    }
}
