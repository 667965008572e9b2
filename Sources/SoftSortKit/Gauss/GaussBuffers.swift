/// The gauss path's buffers of a `Workspace`: the forward's state, a `P V`
/// product's state, a backward's gradients and each thread's row scratch
/// (about `8 n + 17 100` words of 8 bytes for the forward, `12 n + 17 100`
/// for a backward), so rows of any length need no allocation in steady
/// state. The sharing rule is `Workspace`'s.
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
