/// Which columns a windowed row keeps, in sorted order around its own rank.
enum WindowRule: Sendable, Equatable {
    /// Ranks `i - w ... i + w`.
    case ranks(Int)
    /// Ranks whose score is within `radius` of the row's: logit `>= log(tolerance)`,
    /// `radius = (-tau log(tolerance))^(1 / p)`.
    case radius(Double)
}

/// What a windowed forward keeps (O(B n + kept entries) memory).
struct WindowState<T: SoftSortScalar>: Sendable {
    let shape: BatchShape
    /// The rows kept per batch row, `k <= count`.
    let rows: Int
    let configuration: Configuration<T>
    let kernels: DenseKernels<T>
    let permutation: [Int]
    /// Plain `batch x count`, sorted.
    let sorted: [T]
    /// `batch * rows + 1` offsets into `values`.
    let rowOffsets: [Int]
    /// `batch * rows`: the sorted rank of each row's first kept column.
    let firstRank: [Int]
    let values: [T]
    /// The column of every entry of `values`.
    let columns: [Int]
    let droppedMass: [T]
}

/// The windowed path's entry points, compiled for one element type
/// (`KernelSet.window`).
struct WindowOperations<T: SoftSortScalar>: Sendable {
    /// Sorts each batch row (by `sortKeys` when given: `Plan.sortKeys`) and
    /// fills the kept entries.
    let forward: @Sendable (
        _ scores: [T], _ shape: BatchShape, _ rows: Int, _ rule: WindowRule, _ configuration: Configuration<T>,
        _ kernels: DenseKernels<T>, _ sortKeys: [T]?
    ) -> WindowState<T>
    /// `dL/ds` given `dL/dP~` laid out as `values`.
    let backward: @Sendable (WindowState<T>, _ gradient: [T]) -> [T]
    /// `P~ X` or `P~^T X` (`WindowProducts.product`).
    let product: @Sendable (WindowState<T>, _ input: [T], _ dimension: Int, _ transposed: Bool) -> [T]
    /// `dL/dP~` of `<A, P~ C>` (`WindowProducts.entryGradient`).
    let entryGradient: @Sendable (WindowState<T>, _ rows: [T], _ columns: [T], _ dimension: Int) -> [T]
    /// The kept entries as dense rows (`WindowProducts.denseRows`).
    let denseRows: @Sendable (WindowState<T>) -> [T]
    /// Dense `B x k x n` gradient rows to `dL/dP~` (`WindowProducts.gatherEntries`).
    let gatherEntries: @Sendable (WindowState<T>, _ dense: [T]) -> [T]
}

extension WindowOperations where T: VectorScalar {
    static func make() -> WindowOperations<T> {
        WindowOperations(
            forward: { scores, shape, rows, rule, configuration, kernels, sortKeys in
                WindowEngine.forward(
                    scores, shape: shape, rows: rows, rule: rule, configuration: configuration, kernels: kernels,
                    sortKeys: sortKeys)
            },
            backward: { state, gradient in WindowEngine.backward(state, gradient: gradient) },
            product: { state, input, d, transposed in
                WindowProducts.product(state, input, dimension: d, transposed: transposed)
            },
            entryGradient: { state, rows, columns, d in
                WindowProducts.entryGradient(state, rows: rows, columns: columns, dimension: d)
            },
            denseRows: { state in WindowProducts.denseRows(state) },
            gatherEntries: { state, dense in WindowProducts.gatherEntries(state, dense: dense) })
    }
}
