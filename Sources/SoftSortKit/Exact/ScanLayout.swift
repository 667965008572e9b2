/// The block layout of the exact scans (`ScanLanes`): batch rows interleaved
/// lane by lane, in plain or sorted order, and back.
enum ScanLayout {
    /// Block layout from plain rows: `dst[(i d + k) lanes + l] = src[((first + l) n + i) d + k]`.
    @inline(__always)
    static func packRows<T>(
        _ src: UnsafePointer<T>, first: Int, lanes: Int, count n: Int, dimension d: Int,
        into dst: UnsafeMutablePointer<T>
    ) {
        if lanes == 1 {
            dst.update(from: src + first * n * d, count: n * d)
            return
        }
        for l in 0..<lanes {
            let row = src + (first + l) * n * d
            for e in 0..<n * d { dst[e * lanes + l] = row[e] }
        }
    }

    /// Plain rows from block layout (the inverse of `packRows`).
    @inline(__always)
    static func unpackRows<T>(
        _ src: UnsafePointer<T>, first: Int, lanes: Int, count n: Int, dimension d: Int,
        into dst: UnsafeMutablePointer<T>
    ) {
        if lanes == 1 {
            (dst + first * n * d).update(from: src, count: n * d)
            return
        }
        for l in 0..<lanes {
            let row = dst + (first + l) * n * d
            for e in 0..<n * d { row[e] = src[e * lanes + l] }
        }
    }

    /// Block layout in sorted order from values in column order:
    /// `dst[(i d + k) lanes + l] = src[((first + l) n + perm[(first + l) n + i]) d + k]`.
    @inline(__always)
    static func packPermuted<T>(
        _ src: UnsafePointer<T>, permutation: UnsafePointer<Int>, first: Int, lanes: Int, count n: Int,
        dimension d: Int, into dst: UnsafeMutablePointer<T>
    ) {
        for l in 0..<lanes {
            let row = src + (first + l) * n * d, order = permutation + (first + l) * n
            if d == 1 {
                for i in 0..<n { dst[i * lanes + l] = row[order[i]] }
            } else {
                for i in 0..<n {
                    for k in 0..<d { dst[(i * d + k) * lanes + l] = row[order[i] * d + k] }
                }
            }
        }
    }

    /// Values in column order from block layout in sorted order (the inverse
    /// of `packPermuted`; every column has exactly one rank).
    @inline(__always)
    static func unpackPermuted<T>(
        _ src: UnsafePointer<T>, permutation: UnsafePointer<Int>, first: Int, lanes: Int, count n: Int,
        dimension d: Int, into dst: UnsafeMutablePointer<T>
    ) {
        for l in 0..<lanes {
            let row = dst + (first + l) * n * d, order = permutation + (first + l) * n
            if d == 1 {
                // Element (i, l) of the block is at i lanes + l, below n lanes.
                var e = l
                for i in 0..<n {
                    row[order[i]] = src[e]
                    e &+= lanes
                }
            } else {
                for i in 0..<n {
                    for k in 0..<d { row[order[i] * d + k] = src[(i * d + k) * lanes + l] }
                }
            }
        }
    }
}
