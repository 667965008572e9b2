import Testing
@testable import SoftSortKit

/// `SoftSort(power: 1).forward(..., path: .exact, workspace:)`: every output
/// and backward the same bits as without a workspace, across shapes,
/// precisions and thread counts; results kept across calls keep their bits;
/// the scan state and the scratch are reused in place once the results are
/// gone (a long row's sort, scans and backward allocate no scratch).
@Suite("Workspace: the exact outputs")
struct WorkspaceExactOutputsTests {
    typealias Bits = WorkspaceSharing

    static func outputs<T: SoftSortScalar>(_ result: RelaxedPermutation<T>, upstream: [T], values: [T]) throws -> [[UInt64]] {
        try Bits.outputBits(result, upstream: upstream, values: values, path: .exact, transposed: true)
    }

    func reuse<T: SoftSortScalar>(_ type: T.Type, threads: Int, spread: Double, direction: SortDirection) throws {
        try Bits.reuseOutputs(
            SoftSort(temperature: 0.05, power: 1, direction: direction, threads: threads), path: .exact, type,
            shapes: WorkspaceExactLossTests.shapes, spread: spread, seed: 23, transposed: true)
    }

    @Test("A reused workspace gives every output and backward a fresh forward's bits, Float and Double, 1 and 3 threads")
    func reuseAcrossShapes() throws {
        for threads in [1, 3] {
            try reuse(Float.self, threads: threads, spread: 4, direction: .descending)
            try reuse(Double.self, threads: threads, spread: 4, direction: .ascending)
        }
        try reuse(Double.self, threads: 2, spread: 1e300, direction: .descending)
        try reuse(Float.self, threads: 2, spread: 3e38, direction: .ascending)
    }

    @Test("Results kept across forwards keep their bits; dropped ones leave their state and scratch to the next step")
    func keptAndDroppedResults() throws {
        // n = 5000: the radix sort, whose scratch is the largest.
        let batch = 2, n = 5000
        let (a, _) = Bits.input(batch: batch, count: n, spread: 3, seed: 1)
        let (b, _) = Bits.input(batch: batch, count: n, spread: 3, seed: 2)
        let upstream = a.reversed().map { $0 }, values = a + b
        let op = SoftSort(temperature: 0.1, power: 1, threads: 2), workspace = Workspace<Double>()
        let expected = try Self.outputs(
            op.forward(scores: a, batch: batch, count: n, path: .exact), upstream: upstream, values: values)
        // Kept: a second forward and its outputs in the same workspace change nothing of the first.
        let first = try op.forward(scores: a, batch: batch, count: n, path: .exact, workspace: workspace)
        let firstSorted = try first.sortedValues()
        let firstProduct = try first.apply(to: values, dimension: 2)
        _ = try Self.outputs(
            op.forward(scores: b, batch: batch, count: n, path: .exact, workspace: workspace),
            upstream: upstream, values: values)
        #expect(try Self.outputs(first, upstream: upstream, values: values) == expected)
        #expect(firstSorted.values.map(Bits.bits) == expected[2])
        #expect(try firstSorted.backward(upstream).map(Bits.bits) == expected[3])
        #expect(try firstProduct.backward(values).scores.map(Bits.bits) == expected[7])
        // Dropped: each step's scan state and scratch are the step before's.
        var addresses: [[UInt]] = []
        for _ in 0..<3 {
            let sorted = try op.forward(scores: a, batch: batch, count: n, path: .exact, workspace: workspace).sortedValues()
            _ = try sorted.backward(upstream)
            addresses.append([
                workspace.loss.exactStorage.map { UInt(bitPattern: $0.base) } ?? 0, workspace.loss.rowScratch.address,
            ])
        }
        #expect(addresses[0].allSatisfy { $0 != 0 })
        #expect(addresses[1] == addresses[0] && addresses[2] == addresses[0])
    }
}
