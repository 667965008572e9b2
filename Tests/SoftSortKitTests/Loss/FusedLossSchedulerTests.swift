import Foundation
import Testing
@testable import SoftSortKit

/// The fused losses' determinism, the exact path, workspaces and validation:
/// more tests of the "Fused losses" suite.
extension FusedLossTests {
    @Test("Bitwise identical for 1, 2 and 7 threads, with and without a workspace")
    func threadCounts() throws {
        // B n^2 = 270 000 is above the scheduler's serial threshold, so the loops really split.
        let batch = 3, n = 300
        let s = Self.scores(batch: batch, count: n, seed: 5), t = Self.targets(batch: batch, count: n, seed: 6)
        let y = (0..<batch * n).map { Double($0 % 2) }
        /// Per run (thread count, workspace): every loss's value and gradient.
        func runs<T: SoftSortScalar>(_ scores: [T], _ matches: [T], backend: Backend) throws -> [[[T]]] {
            try [(1, false), (2, false), (7, false), (7, true)].map { threads, reuse in
                let workspace = reuse ? Workspace<T>() : nil
                var results: [[T]] = []
                for power in [1.0, 2.0, 1.5] {
                    let op = SoftSort(temperature: 0.05, power: power, backend: backend, threads: threads)
                    let loss = try op.forward(scores: scores, batch: batch, count: n, path: .fused, workspace: workspace)
                        .crossEntropy(targets: t)
                    results.append([loss.value] + loss.gradient)
                }
                let knn = try SoftSort(temperature: 0.05, power: 2, backend: backend, threads: threads)
                    .forward(scores: scores, batch: batch, count: n, path: .fused, workspace: workspace)
                    .nearestNeighborLoss(matches: matches, k: 40)
                results.append([knn.value] + knn.gradient)
                let neural = try NeuralSort(temperature: 0.05, backend: backend, threads: threads)
                    .forward(scores: scores, batch: batch, count: n, workspace: workspace).crossEntropy(targets: t)
                results.append([neural.value] + neural.gradient)
                return results
            }
        }
        for backend in Backend.available {
            let float = try runs(s.map { Float($0) }, y.map { Float($0) }, backend: backend)
            let double = try runs(s, y, backend: backend)
            for run in 1..<float.count {
                #expect(float[run] == float[0], "\(backend) Float: run \(run) differs from one thread")
                #expect(double[run] == double[0], "\(backend) Double: run \(run) differs from one thread")
            }
        }
    }

    @Test("A reused workspace: the same bits as fresh buffers, across shapes")
    func workspaceReuse() throws {
        let workspace = Workspace<Float>()
        let op = SoftSort(temperature: 0.1, power: 2)
        for (batch, n) in [(2, 33), (1, 70), (2, 33), (4, 9)] {
            let s = Self.scores(batch: batch, count: n, seed: UInt64(n)).map { Float($0) }
            let t = Self.targets(batch: batch, count: n, seed: 1)
            let fresh = try op.forward(scores: s, batch: batch, count: n).crossEntropy(targets: t)
            let reused = try op.forward(scores: s, batch: batch, count: n, workspace: workspace)
                .crossEntropy(targets: t)
            #expect(fresh.value == reused.value && fresh.gradient == reused.gradient)
            let dense = try op.forward(scores: s, batch: batch, count: n, path: .dense, workspace: workspace)
                .crossEntropy(targets: t)
            #expect(abs(dense.value - fresh.value) <= 1e-4 * max(1, abs(fresh.value)))
        }
    }

    @Test("p = 1: exact, fused and dense agree; automatic equals the path it takes", arguments: [1, 8, 65, 257])
    func exactAgainstFused(count n: Int) throws {
        let batch = 2
        for direction in Self.directions {
            for tau in [1e-3, 0.3, 10.0] {
                let s = Self.scores(batch: batch, count: n, seed: UInt64(n) &+ 50)
                let t = Self.targets(batch: batch, count: n, seed: 9)
                let op = SoftSort(temperature: tau, power: 1, direction: direction)
                let automatic = try op.forward(scores: s, batch: batch, count: n).crossEntropy(targets: t)
                let exact = try op.forward(scores: s, batch: batch, count: n, path: .exact).crossEntropy(targets: t)
                let fused = try op.forward(scores: s, batch: batch, count: n, path: .fused).crossEntropy(targets: t)
                #expect(exact.path == .exact && fused.path == .fused)
                // .automatic takes a path the measured table picks; it equals that path's result.
                #expect([SoftSortPath.exact, .fused, .dense].contains(automatic.path))
                let chosen = try op.forward(scores: s, batch: batch, count: n, path: automatic.path).crossEntropy(targets: t)
                #expect(automatic.value == chosen.value && automatic.gradient == chosen.gradient)
                // Through a workspace's buffers: the same bits.
                let reused = try op.forward(scores: s, batch: batch, count: n, path: .exact, workspace: Workspace())
                    .crossEntropy(targets: t)
                #expect(reused.value == exact.value && reused.gradient == exact.gradient && reused.path == .exact)
                let size = Double(batch * n) * (1 + 2 / tau)
                #expect(abs(exact.value - fused.value) <= 1e-13 * size)
                #expect(maxAbsDifference(exact.gradient, fused.gradient) <= 1e-13 * Double(n) * (1 + maxAbs(exact.gradient)))
            }
        }
        // Other powers take the path the measured table picks among those that compute the loss exactly.
        let other = try SoftSort(power: 1.5).forward(scores: [0.5, 0.1], batch: 1, count: 2)
            .crossEntropy(targets: [0, 1])
        #expect(other.path == .fused || other.path == .dense)
        let two = try SoftSort(power: 2).forward(scores: [0.5, 0.1], batch: 1, count: 2).crossEntropy(targets: [0, 1])
        #expect([SoftSortPath.gauss, .fused, .dense].contains(two.path))
        let neural = try NeuralSort().forward(scores: [0.5, 0.1], batch: 1, count: 2).crossEntropy(targets: [0, 1])
        #expect(neural.path == .fused)
    }

    @Test("Empty shapes, huge scores and the identity target")
    func extremes() throws {
        for path in [SoftSortPath.fused, .dense] {
            let empty = try SoftSort(power: 2).forward(scores: [Float](), batch: 0, count: 5, path: path)
                .crossEntropy(targets: [])
            #expect(empty.value == 0 && empty.gradient.isEmpty)
            let none = try NeuralSort().forward(scores: [Double](), batch: 3, count: 0, path: path)
                .crossEntropy(targets: [])
            #expect(none.value == 0 && none.gradient.isEmpty)
        }
        // Scores of size 1e6 at a small temperature: finite, the reference's loss.
        let batch = 2, n = 20
        let s = Self.scores(batch: batch, count: n, seed: 77).map { $0 * 1e6 }
        let identity = (0..<batch).flatMap { _ in Array(0..<n) }
        for power in [1.0, 2.0] {
            let reference = Reference.softSortCrossEntropy(
                scores: s, targets: identity, batch: batch, count: n, temperature: 1e-2, power: power)
            let loss = try SoftSort(temperature: 1e-2, power: power)
                .forward(scores: s, batch: batch, count: n, path: .fused).crossEntropy(targets: identity)
            #expect(loss.value.isFinite && loss.gradient.allSatisfy(\.isFinite))
            #expect(abs(loss.value - reference.loss) <= 1e-12 * max(1, reference.loss))
        }
    }

    @Test("Invalid input throws typed errors")
    func validation() {
        let s: [Float] = [0.3, 0.1, 0.2]
        let op = SoftSort(temperature: 0.5, power: 2)
        #expect(throws: SoftSortError.sizeMismatch(argument: "targets", expected: 3, actual: 2)) {
            try op.forward(scores: s, batch: 1, count: 3).crossEntropy(targets: [0, 1])
        }
        #expect(throws: SoftSortError.indexOutOfRange(argument: "targets", position: 2, value: 3, count: 3)) {
            try op.forward(scores: s, batch: 1, count: 3).crossEntropy(targets: [0, 1, 3])
        }
        #expect(throws: SoftSortError.indexOutOfRange(argument: "targets", position: 0, value: -1, count: 3)) {
            try NeuralSort().forward(scores: s, batch: 1, count: 3).crossEntropy(targets: [-1, 1, 2])
        }
        // The path is checked by the forward, before any output.
        #expect(throws: SoftSortError.unsupportedPath(
            path: "exact", reason: "the exact scans need p = 1; use .gauss for p = 2, else .fused")) {
            try op.forward(scores: s, batch: 1, count: 3, path: .exact)
        }
        #expect(throws: SoftSortError.unsupportedPath(
            path: "exact", reason: "NeuralSort runs on the dense and fused paths only")) {
            try NeuralSort().forward(scores: s, batch: 1, count: 3, path: .exact)
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "k", value: 0, count: 3)) {
            try op.forward(scores: s, batch: 1, count: 3).nearestNeighborLoss(matches: [1, 0, 1], k: 0)
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "k", value: 4, count: 3)) {
            try op.forward(scores: s, batch: 1, count: 3).nearestNeighborLoss(matches: [1, 0, 1], k: 4)
        }
        #expect(throws: SoftSortError.nonFiniteInput(argument: "matches", row: 0, column: 1)) {
            try op.forward(scores: s, batch: 1, count: 3).nearestNeighborLoss(matches: [1, .nan, 1], k: 1)
        }
        #expect(throws: SoftSortError.nonFiniteScore(row: 0, column: 1)) {
            try op.forward(scores: [0, .infinity, 1] as [Float], batch: 1, count: 3)
        }
        #expect(throws: SoftSortError.invalidTemperature(0)) {
            try SoftSort(temperature: 0).forward(scores: s, batch: 1, count: 3, path: .fused)
        }
        // B n overflowing is the forward's error. (B n^2 overflowing with B n
        // scores in memory needs 2^32 of them: `Validation.footprint(.matrices)`,
        // which the dense loss calls first, is checked in ValidationTests.)
        #expect(throws: SoftSortError.shapeOverflow(batch: 1 << 32, count: 1 << 31)) {
            try op.forward(scores: s, batch: 1 << 32, count: 1 << 31, path: .dense)
        }
    }
}
