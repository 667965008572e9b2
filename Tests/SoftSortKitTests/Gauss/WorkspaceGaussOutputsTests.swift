import Testing
@testable import SoftSortKit

/// `SoftSort(power: 2).forward(..., path: .gauss, workspace:)`: every output
/// and backward the same bits as without a workspace, across shapes,
/// precisions and thread counts; results kept across calls are copied, never
/// overwritten; the buffers are reused in place once the results are gone.
@Suite("Workspace: the gauss outputs")
struct WorkspaceGaussOutputsTests {
    typealias Bits = WorkspaceSharing

    static func outputs<T: SoftSortScalar>(_ result: RelaxedPermutation<T>, upstream: [T], values: [T]) throws -> [[UInt64]] {
        try Bits.outputBits(result, upstream: upstream, values: values, path: .gauss)
    }

    func reuse<T: SoftSortScalar>(_ type: T.Type, threads: Int, spread: Double) throws {
        try Bits.reuseOutputs(
            SoftSort(temperature: 0.05, power: 2, threads: threads), path: .gauss, type,
            shapes: WorkspaceGaussLossTests.shapes, spread: spread, seed: 11)
    }

    @Test("A reused workspace gives every output and backward a fresh forward's bits, Float and Double, 1 and 7 threads")
    func reuseAcrossShapes() throws {
        for threads in [1, 7] {
            try reuse(Float.self, threads: threads, spread: 4)
            try reuse(Double.self, threads: threads, spread: 4)
        }
        try reuse(Double.self, threads: 2, spread: 1e300)
    }

    @Test("Results kept across forwards keep their bits; dropped ones leave their storage to the next step")
    func keptAndDroppedResults() throws {
        let batch = 3, n = 1200
        let (a, _) = Bits.input(batch: batch, count: n, spread: 3, seed: 1)
        let (b, _) = Bits.input(batch: batch, count: n, spread: 3, seed: 2)
        let upstream = a.reversed().map { $0 }, values = a + b
        let op = SoftSort(temperature: 0.1, power: 2, threads: 2), workspace = Workspace<Double>()
        let expected = try Self.outputs(
            op.forward(scores: a, batch: batch, count: n, path: .gauss), upstream: upstream, values: values)
        // Kept: a second forward and its outputs in the same workspace change nothing of the first.
        let first = try op.forward(scores: a, batch: batch, count: n, path: .gauss, workspace: workspace)
        let firstProduct = try first.apply(to: values, dimension: 2)
        let firstSorted = try first.sortedValues()
        _ = try Self.outputs(
            op.forward(scores: b, batch: batch, count: n, path: .gauss, workspace: workspace),
            upstream: upstream, values: values)
        #expect(try Self.outputs(first, upstream: upstream, values: values) == expected)
        #expect(try firstProduct.backward(values).scores == first.apply(to: values, dimension: 2).backward(values).scores)
        #expect(firstSorted.values.map(Bits.bits) == expected[2])
        #expect(try firstSorted.backward(upstream).map(Bits.bits) == expected[3])
        // Dropped: each step's state and gradient reuse the storage of the step before.
        var addresses: [[UInt]] = []
        for _ in 0..<3 {
            let result = try op.forward(scores: a, batch: batch, count: n, path: .gauss, workspace: workspace)
            let gradient = try result.sortedValues().backward(upstream)
            addresses.append([
                Bits.address(workspace.gauss.forward.points) ?? 0, Bits.address(workspace.gauss.forward.permutation) ?? 0,
                Bits.address(gradient) ?? 0, workspace.gauss.scratch.address,
            ])
        }
        #expect(addresses[0].allSatisfy { $0 != 0 })
        #expect(addresses[1] == addresses[0] && addresses[2] == addresses[0])
    }
}
