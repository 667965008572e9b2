/// Buffers for `GaussSoftSort`, kept between calls so that a training loop
/// (a forward, one output and its backward per step) allocates only the
/// output it returns.
///
/// Pass the same workspace to every `forward` of a loop. The result of a
/// forward, a `P V` product's state and the gradient of a backward share the
/// workspace's storage until the next call writes it: let them go before the
/// next `forward` (declare them inside the loop body), or that call copies
/// them (correct, but it allocates). The outputs themselves (`P s`, `P^T r`,
/// `P V`, the log-normalisers) are fresh arrays. A workspace is not
/// thread-safe: give each concurrent training loop its own, and do not run
/// operations of results that share a workspace on several threads at once.
/// The workspace also keeps one row's scratch per thread (about `8 n + 17 100`
/// words of 8 bytes each for the forward, `12 n + 17 100` for a backward), so
/// rows of any length need no allocation in steady state.
///
/// ```swift
/// let gauss = GaussSoftSort(temperature: 0.1)
/// let workspace = GaussBuffers<Float>()
/// for _ in 0..<steps {
///     let result = try gauss.forward(scores: scores, batch: b, count: n, workspace: workspace)
///     let values = result.sortedValues()
///     let gradient = try values.backward(upstream)
///     // ... update scores with gradient ...
/// }
/// ```
final class GaussBuffers<T: SoftSortScalar>: @unchecked Sendable {
    // @unchecked: mutable state, documented as one workspace per loop; the
    // scheduler's threads write disjoint rows of these buffers within a call.
    /// The forward's state (`GaussState`).
    var forward = GaussForwardBuffers()
    /// A `P W` product's state (`GaussProductState`).
    var product = GaussProductBuffers()
    /// A backward's results.
    var gradient = GaussGradientBuffers<T>()
    /// Each thread's row scratch.
    let scratch = RowScratch()

    /// Creates an empty workspace; buffers grow on first use.
    ///
    /// - Complexity: O(1).
    init() {}
}

/// The arrays of a `GaussState`, `B n` each (contents unspecified until the forward writes them).
struct GaussForwardBuffers {
    var permutation: [Int] = []
    var sorted: [Double] = []
    var points: [Double] = []
    var inverseNormalizers: [Double] = []
    var logNormalizers: [Double] = []
    var firstMoments: [Double] = []

    mutating func resize(elements: Int) {
        resizeBuffer(&permutation, elements)
        resizeBuffer(&sorted, elements)
        resizeBuffer(&points, elements)
        resizeBuffer(&inverseNormalizers, elements)
        resizeBuffer(&logNormalizers, elements)
        resizeBuffer(&firstMoments, elements)
    }
}

/// The arrays of a `GaussProductState`: `B n d` each, the means `B d`.
struct GaussProductBuffers {
    var centred: [Double] = []
    var product: [Double] = []
    var moments: [Double] = []
    var means: [Double] = []

    mutating func resize(elements: Int, means count: Int) {
        resizeBuffer(&centred, elements)
        resizeBuffer(&product, elements)
        resizeBuffer(&moments, elements)
        resizeBuffer(&means, count)
    }
}

/// A gauss backward's `dL/ds` (`B n`) and `dL/dV` (`B n d`).
struct GaussGradientBuffers<T> {
    var scores: [T] = []
    var values: [T] = []
}
