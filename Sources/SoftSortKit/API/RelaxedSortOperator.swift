/// An operator whose forward gives a `RelaxedPermutation`: `SoftSort` and
/// `NeuralSort`. Wrappers (`SoftSortKitDifferentiable`) take any of them.
public protocol RelaxedSortOperator: Sendable, Hashable {
    /// Checks a batch of score rows and the operator's parameters; the result
    /// computes every output on request.
    ///
    /// - Parameters:
    ///   - scores: `batch x count` scores, row-major.
    ///   - batch: the number of rows `B >= 0`.
    ///   - count: the row length `n >= 0`.
    ///   - path: the path every output runs on, or `.automatic`.
    ///   - workspace: buffers to reuse across calls, or `nil`.
    /// - Returns: the checked request.
    /// - Throws: `SoftSortError` for any argument it rejects.
    /// - Complexity: O(B n).
    func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, path: SoftSortPath, workspace: Workspace<T>?
    ) throws(SoftSortError) -> RelaxedPermutation<T>
}

extension SoftSort: RelaxedSortOperator {}
extension NeuralSort: RelaxedSortOperator {}
