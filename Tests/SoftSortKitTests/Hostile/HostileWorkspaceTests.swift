import Dispatch
import Synchronization
import Testing
@testable import SoftSortKit

/// One workspace used by two calls at once: the second throws
/// `workspaceInUse` and touches nothing, on every path, Float and Double.
@Suite("Hostile inputs: a workspace used concurrently")
struct HostileWorkspaceTests {
    /// While a call holds the workspace, every output and every backward
    /// that would use it throws `workspaceInUse`; after it, all run again.
    @Test("every output and backward on a held workspace throws workspaceInUse", arguments: Forward.all)
    func held(_ forward: Forward) throws {
        try heldCheck(forward, Float.self)
        try heldCheck(forward, Double.self)
    }

    func heldCheck<T: SoftSortScalar>(_ forward: Forward, _: T.Type) throws {
        let workspace = Workspace<T>()
        let scores: [T] = EntryPoints.upstream(2 * 5, seed: 51)
        let result = try forward(scores, batch: 2, count: 5, workspace: workspace)
        // Results made before the workspace is taken; their backward must wait too.
        let values: [T] = EntryPoints.upstream(10, seed: 52)
        let product = try? result.apply(to: values)
        let sorted = try? result.sortedValues()
        let matrices = try? result.matrices()
        var inUse = 0, ran = 0
        func expectInUse(_ name: String, _ body: () throws -> Void) {
            do {
                try body()
                Issue.record("\(forward.name) \(T.self) \(name): ran on a held workspace")
            } catch SoftSortError.workspaceInUse {
                inUse += 1
            } catch SoftSortError.unsupportedPath {
            } catch {
                Issue.record("\(forward.name) \(T.self) \(name): \(error)")
            }
        }
        try workspace.holding { () throws(SoftSortError) in
            expectInUse("matrices") { _ = try result.matrices() }
            expectInUse("apply") { _ = try result.apply(to: values) }
            expectInUse("applyTransposed") { _ = try result.applyTransposed(to: values) }
            expectInUse("topK") { _ = try result.topK(1, of: values) }
            expectInUse("quantiles") { _ = try result.quantiles([0.5], of: values) }
            expectInUse("sortedValues") { _ = try result.sortedValues() }
            expectInUse("ranks") { _ = try result.ranks() }
            expectInUse("crossEntropy") { _ = try result.crossEntropy(targets: (0..<10).map { $0 % 5 }) }
            expectInUse("nearestNeighborLoss") { _ = try result.nearestNeighborLoss(matches: values, k: 1) }
            expectInUse("logNormalizers") { _ = try result.logNormalizers() }
            if let product { expectInUse("apply backward") { _ = try product.backward(values) } }
            if let sorted { expectInUse("sortedValues backward") { _ = try sorted.backward(values) } }
            if let matrices {
                expectInUse("matrices backward") { _ = try matrices.backward(EntryPoints.upstream(matrices.values.count, seed: 53)) }
            }
            // The hard permutation uses no workspace.
            #expect(result.permutation.count == result.batch * 5)
        }
        #expect(inUse >= 2, "\(forward.name) \(T.self): \(inUse) calls refused")
        // Released: the same calls run.
        for call in [{ _ = try result.crossEntropy(targets: (0..<10).map { $0 % 5 }) }, { _ = try product?.backward(values) }] as [() throws -> Void] {
            do {
                try call()
                ran += 1
            } catch SoftSortError.unsupportedPath {}
        }
        #expect(ran >= 1)
    }

    /// Two threads hammer one workspace on the fused, exact, gauss and dense
    /// losses and products: each call returns the bits of a serial call or
    /// throws `workspaceInUse`; nothing crashes or corrupts a result.
    @Test("two threads sharing one workspace: a serial call's bits or workspaceInUse", arguments: [
        (SoftSortPath.fused, 2.0), (.exact, 1), (.gauss, 2), (.dense, 1.5),
    ])
    func sharedByTwoThreads(path: SoftSortPath, power: Double) throws {
        let n = 64, batch = 4
        let scores: [Double] = EntryPoints.upstream(batch * n, seed: 54)
        let targets = (0..<batch * n).map { ($0 * 7) % n }
        let values: [Double] = EntryPoints.upstream(batch * n, seed: 55)
        let op = SoftSort(temperature: 0.3, power: power, threads: 1)
        @Sendable func run(_ workspace: Workspace<Double>?) throws -> [Double] {
            let result = try op.forward(scores: scores, batch: batch, count: n, path: path, workspace: workspace)
            let loss = try result.crossEntropy(targets: targets)
            var out = [loss.value] + loss.gradient
            if (try? result.path(for: "product")) != nil {
                let product = try result.apply(to: values)
                out += product.values + (try product.backward(values).scores)
            }
            return out
        }
        let serial = try run(nil)
        let workspace = Workspace<Double>()
        let refused = Atomic<Int>(0), wrong = Atomic<Int>(0), done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<100 {
                do {
                    let bits = try run(workspace)
                    if bits.count != serial.count || zip(bits, serial).contains(where: { !sameBits($0, $1) }) {
                        wrong.add(1, ordering: .relaxed)
                    }
                    done.add(1, ordering: .relaxed)
                } catch SoftSortError.workspaceInUse {
                    refused.add(1, ordering: .relaxed)
                } catch {
                    wrong.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
        #expect(done.load(ordering: .relaxed) + refused.load(ordering: .relaxed) == 200)
        #expect(done.load(ordering: .relaxed) >= 1)
    }
}
