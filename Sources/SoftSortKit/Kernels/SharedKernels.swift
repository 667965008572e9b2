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
    static func matrixVector<T: VectorScalar>(
        _ matrix: UnsafePointer<T>, _ vector: UnsafePointer<T>, _ rows: Int, _ count: Int,
        _ output: UnsafeMutablePointer<T>
    ) {
        for i in 0..<rows { output[i] = SIMDKernels.dot(matrix + i * count, vector, count) }
    }
}
