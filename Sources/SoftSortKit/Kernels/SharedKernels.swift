/// Kernels every backend shares: they are not where the time goes, but they
/// are specialized per element type like the rest.
enum SharedKernels {
    @Sendable
    static func argsort<T: VectorScalar>(
        _ scores: UnsafePointer<T>, _ count: Int, _ direction: SortDirection,
        _ order: UnsafeMutablePointer<Int>, _ sorted: UnsafeMutablePointer<T>
    ) {
        stableArgsort(
            UnsafeBufferPointer(start: scores, count: count), direction: direction,
            into: UnsafeMutableBufferPointer(start: order, count: count))
        for r in 0..<count { sorted[r] = scores[order[r]] }
    }

    @Sendable
    static func accumulate<T: VectorScalar>(
        _ target: UnsafeMutablePointer<T>, _ source: UnsafePointer<T>, _ factor: T, _ count: Int
    ) {
        let width = T.Vector.scalarCount
        let f = T.Vector(repeating: factor)
        var j = 0
        while j + width <= count {
            SIMDKernels.store(SIMDKernels.load(target, j) + f * SIMDKernels.load(source, j), target, j)
            j += width
        }
        while j < count {
            target[j] += factor * source[j]
            j += 1
        }
    }

    @Sendable
    static func matrixVector<T: VectorScalar>(
        _ matrix: UnsafePointer<T>, _ vector: UnsafePointer<T>, _ rows: Int, _ count: Int,
        _ output: UnsafeMutablePointer<T>
    ) {
        for i in 0..<rows { output[i] = SIMDKernels.dot(matrix + i * count, vector, count) }
    }
}
