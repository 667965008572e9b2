import SoftSortKit

/// Which dense operator an ABI call runs.
enum DenseMethod {
    case softSort(power: Double)
    case neuralSort
}

/// The operators as the ABI configures them: the call's parameters plus the
/// process-wide backend and thread count.
enum Operators {
    static func softSort(temperature: Double, power: Double, direction: SortDirection) -> SoftSort {
        SoftSort(
            temperature: temperature, power: power, direction: direction, backend: Settings.backend,
            threads: Settings.threads)
    }

    static func neuralSort(temperature: Double, direction: SortDirection) -> NeuralSort {
        NeuralSort(temperature: temperature, direction: direction, backend: Settings.backend, threads: Settings.threads)
    }

    static func exact(temperature: Double, direction: SortDirection) -> ExactSoftSort {
        ExactSoftSort(temperature: temperature, direction: direction, backend: Settings.backend, threads: Settings.threads)
    }

    /// The dense forward of `method` into `workspace`.
    static func dense<T: SoftSortScalar>(
        _ method: DenseMethod, scores: [T], shape: Shape, temperature: Double, direction: SortDirection,
        workspace: DenseWorkspace<T>
    ) throws(Failure) -> RelaxedPermutation<T> {
        try library { () throws(SoftSortError) in
            switch method {
            case .softSort(let power):
                return try softSort(temperature: temperature, power: power, direction: direction)
                    .forward(scores: scores, batch: shape.batch, count: shape.count, workspace: workspace)
            case .neuralSort:
                return try neuralSort(temperature: temperature, direction: direction)
                    .forward(scores: scores, batch: shape.batch, count: shape.count, workspace: workspace)
            }
        }
    }
}

/// The generic bodies of the dense matrix exports (`*_forward_*`, `*_backward_*`).
enum DenseCalls<T: ABIScalar> {
    /// P and the permutation into the caller's (nullable) buffers.
    static func forward(
        _ method: DenseMethod, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ temperature: Double,
        _ direction: Int32, _ matrices: UnsafeMutablePointer<T>?, _ permutation: UnsafeMutablePointer<Int64>?
    ) -> Int32 {
        guarded { () throws(Failure) in
            let shape = try Shape(batch: batch, count: count, matrices: true)
            let direction = try Settings.direction(direction)
            let input = try Boundary.read("scores", scores, count: shape.rows)
            try T.pool.withScratch { scratch throws(Failure) in
                let result = try Operators.dense(
                    method, scores: input, shape: shape, temperature: temperature, direction: direction,
                    workspace: scratch.workspace)
                Boundary.write(result.matrices, to: matrices)
                if permutation != nil { Boundary.write(permutation: result.permutation, to: permutation) }
            }
        }
    }

    /// dL/ds given dL/dP, the forward recomputed.
    static func backward(
        _ method: DenseMethod, _ scores: UnsafePointer<T>?, _ batch: Int64, _ count: Int64, _ temperature: Double,
        _ direction: Int32, _ gradMatrices: UnsafePointer<T>?, _ gradScores: UnsafeMutablePointer<T>?
    ) -> Int32 {
        guarded { () throws(Failure) in
            let shape = try Shape(batch: batch, count: count, matrices: true)
            let direction = try Settings.direction(direction)
            let input = try Boundary.read("scores", scores, count: shape.rows)
            let upstream = try Boundary.read("grad_matrices", gradMatrices, count: shape.rows * shape.count)
            try Boundary.require("grad_scores", gradScores, count: shape.rows)
            try T.pool.withScratch { scratch throws(Failure) in
                let result = try Operators.dense(
                    method, scores: input, shape: shape, temperature: temperature, direction: direction,
                    workspace: scratch.workspace)
                Boundary.write(try library { () throws(SoftSortError) in try result.backward(upstream) }, to: gradScores)
            }
        }
    }
}
