import SoftSortKit

/// The generic bodies of the products: `apply(to:)`, `applyTransposed(to:)`,
/// `topK(_:of:)` and `quantiles(_:of:)` of `RelaxedPermutation`.
enum ProductCalls<T: ABIScalar> {
    /// Which product a call computes.
    enum Rows {
        /// `P V`.
        case all
        /// `P^T U`.
        case transposed
        /// The first `k` rows of `P V`.
        case topK(Int64)
        /// The rows of `P V` at `level_count` quantile levels.
        case quantiles(UnsafePointer<Double>?, Int64)
    }

    /// The product of `rows` on the values at `values`.
    private static func product(
        _ rows: Rows, _ result: RelaxedPermutation<T>, _ values: UnsafePointer<T>?, _ dimension: Int64
    ) throws -> RelaxedProduct<T> {
        let count = try Shape.values(batch: result.batch, count: result.count, dimension: dimension)
        let input = try Boundary.read("values", values, count: count), d = Int(dimension)
        switch rows {
        case .all: return try result.apply(to: input, dimension: d)
        case .transposed: return try result.applyTransposed(to: input, dimension: d)
        case .topK(let k): return try result.topK(Int(k), of: input, dimension: d)
        case .quantiles(let levels, let levelCount):
            guard levelCount >= 0 else {
                throw SoftSortError.invalidDimension(argument: "level_count", value: Int(levelCount))
            }
            let levels = try Boundary.read("levels", levels, count: Int(levelCount))
            return try result.quantiles(levels, of: input, dimension: d)
        }
    }

    static func forward(
        _ rows: Rows, _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ values: UnsafePointer<T>?, _ dimension: Int64, _ output: UnsafeMutablePointer<T>?,
        _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let product = try product(rows, result, values, dimension)
            try Boundary.write("output", product.values, to: output)
            return product.path
        }
    }

    /// `dL/ds` and (nullable) `dL/dV` given `dL/doutput`.
    static func backward(
        _ rows: Rows, _ options: UnsafeRawPointer?, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64,
        _ values: UnsafePointer<T>?, _ dimension: Int64, _ gradOutput: UnsafePointer<T>?,
        _ gradScores: UnsafeMutablePointer<T>?, _ gradValues: UnsafeMutablePointer<T>?,
        _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        Call.run(options, scores, batch, count, pathUsed) { result in
            let product = try product(rows, result, values, dimension)
            let upstream = try Boundary.read("grad_output", gradOutput, count: product.values.count)
            let gradient = try product.backward(upstream)
            try Boundary.write("grad_scores", gradient.scores, to: gradScores)
            Boundary.writeIfGiven(gradient.values, to: gradValues)
            return product.path
        }
    }
}
