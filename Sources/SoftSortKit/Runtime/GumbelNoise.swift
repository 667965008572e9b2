#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Counter-based Gumbel(0, 1) noise: the draw for (row, sample, column)
/// depends only on the seed and those three numbers, so results do not depend
/// on batch layout or thread count.
struct GumbelNoise {
    let seed: UInt64

    /// SplitMix64's finalizer: a bijective mix of 64 bits.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The noise for one (row, sample) stream: `count` draws.
    func fill(row: Int, sample: Int, count: Int, into output: (Int, Double) -> Void) {
        // One SplitMix64 stream per (row, sample), seeded from a mix of all three.
        var state = Self.mix(seed ^ Self.mix(UInt64(truncatingIfNeeded: row) &* 0x9E37_79B9_7F4A_7C15
                                             &+ UInt64(truncatingIfNeeded: sample)))
        for j in 0..<count {
            state &+= 0x9E37_79B9_7F4A_7C15
            // Uniform in (0, 1): the 53 high bits plus one half, never 0 or 1.
            let u = (Double(Self.mix(state) >> 11) + 0.5) * 0x1p-53
            output(j, -log(-log(u)))
        }
    }
}
