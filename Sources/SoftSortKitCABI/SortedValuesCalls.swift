import SoftSortKit

/// The generic bodies of the relaxed sorted values `P s` and ranks `P^T r`.
///
/// `p == 1` runs the exact `O(n log n)` scan for both. Otherwise `P s` is the
/// fused product with `V = s` (its score gradient is the sum of the
/// product's score and value gradients) and `P^T r` goes through the dense
/// `P`, with `dL/dP[i, j] = (i + 1) dL/dr_j`.
enum SortedValuesCalls<T: ABIScalar> {
    enum Output { case sortedValues, ranks }

    /// The checked common inputs.
    private static func inputs(
        _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ direction: Int32, matrices: Bool
    ) throws(Failure) -> (shape: Shape, direction: SortDirection, scores: [T]) {
        let shape = try Shape(batch: batch, count: count, matrices: matrices)
        return (shape, try Settings.direction(direction), try Boundary.read("scores", scores, count: shape.rows))
    }

    static func forward(
        _ output: Output, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ temperature: Double,
        _ power: Double, _ direction: Int32, _ destination: UnsafeMutablePointer<T>?
    ) -> Int32 {
        guarded { () throws(Failure) in
            let dense = output == .ranks && power != 1
            let input = try inputs(scores, batch, count, direction, matrices: dense)
            try Boundary.require("output", destination, count: input.shape.rows)
            Boundary.write(try compute(output, input, temperature, power, upstream: nil), to: destination)
        }
    }

    static func backward(
        _ output: Output, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ temperature: Double,
        _ power: Double, _ direction: Int32, _ gradOutput: UnsafePointer<T>?, _ gradScores: UnsafeMutablePointer<T>?
    ) -> Int32 {
        guarded { () throws(Failure) in
            let dense = output == .ranks && power != 1
            let input = try inputs(scores, batch, count, direction, matrices: dense)
            let upstream = try Boundary.read("grad_output", gradOutput, count: input.shape.rows)
            try Boundary.require("grad_scores", gradScores, count: input.shape.rows)
            Boundary.write(try compute(output, input, temperature, power, upstream: upstream), to: gradScores)
        }
    }

    /// The output (`upstream == nil`) or `dL/ds` given `dL/doutput`.
    private static func compute(
        _ output: Output, _ input: (shape: Shape, direction: SortDirection, scores: [T]), _ temperature: Double,
        _ power: Double, upstream: [T]?
    ) throws(Failure) -> [T] {
        let (shape, direction, scores) = input
        if power == 1 {
            return try library { () throws(SoftSortError) in
                let exact = try Operators.exact(temperature: temperature, direction: direction)
                    .forward(scores: scores, batch: shape.batch, count: shape.count)
                let values = output == .ranks ? exact.ranks() : exact.sortedValues()
                guard let upstream else { return values.values }
                return try values.backward(upstream)
            }
        }
        switch output {
        case .sortedValues:
            return try library { () throws(SoftSortError) in
                let product = try Operators.softSort(temperature: temperature, power: power, direction: direction)
                    .apply(to: scores, scores: scores, batch: shape.batch, count: shape.count, dimension: 1)
                guard let upstream else { return product.values }
                let gradient = try product.backward(upstream)
                return zip(gradient.scores, gradient.values).map { $0 + $1 }
            }
        case .ranks:
            return try DenseRanks<T>.compute(
                scores: scores, shape: shape, temperature: temperature, power: power, direction: direction,
                upstream: upstream)
        }
    }
}

/// `P^T r` through the dense `P`, for `p != 1`.
enum DenseRanks<T: ABIScalar> {
    static func compute(
        scores: [T], shape: Shape, temperature: Double, power: Double, direction: SortDirection, upstream: [T]?
    ) throws(Failure) -> [T] {
        let n = shape.count
        return try T.pool.withScratch { scratch throws(Failure) in
            let result = try Operators.dense(
                .softSort(power: power), scores: scores, shape: shape, temperature: temperature,
                direction: direction, workspace: scratch.workspace)
            guard let upstream else {
                var ranks = [T](repeating: 0, count: shape.rows)
                result.matrices.withUnsafeBufferPointer { p in
                    for b in 0..<shape.batch {
                        for i in 0..<n {
                            let weight = T(i + 1), row = (b * n + i) * n
                            for j in 0..<n { ranks[b * n + j] += weight * p[row + j] }
                        }
                    }
                }
                return ranks
            }
            scratch.zeroGradient(count: shape.rows * n)
            scratch.gradient.withUnsafeMutableBufferPointer { g in
                for b in 0..<shape.batch {
                    for i in 0..<n {
                        let weight = T(i + 1), row = (b * n + i) * n
                        for j in 0..<n { g[row + j] = weight * upstream[b * n + j] }
                    }
                }
            }
            defer { scratch.gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
            return try library { () throws(SoftSortError) in try result.backward(scratch.gradient) }
        }
    }
}
