import Testing
@testable import SoftSortKit

/// The sharing rule `Workspace` documents, checked on one loss path: the
/// returned gradient is the workspace's buffer, the next call writes the same
/// buffers once the previous `Loss` is gone, a kept `Loss` is copied rather
/// than overwritten, and the bits are a fresh call's. And the helpers of the
/// workspace suites: inputs, bits and addresses.
enum WorkspaceSharing {
    /// Distinct scores of `spread` around 0, and random target columns.
    static func input(batch: Int, count n: Int, spread: Double, seed: UInt64) -> (scores: [Double], targets: [Int]) {
        var g = TestRandom(seed: seed)
        let scores = (0..<batch).flatMap { _ in g.distinct(n, spread: spread).map { $0 - spread / 2 } }
        let targets = (0..<batch * n).map { _ in Int(g.next() % UInt64(max(n, 1))) }
        return (scores, targets)
    }

    /// The bits of one value: sign, exponent and significand fields.
    static func bits<T: SoftSortScalar>(_ x: T) -> UInt64 {
        UInt64(x.sign == .minus ? 1 : 0) << 63 | UInt64(x.exponentBitPattern) << 52 | UInt64(x.significandBitPattern)
    }

    /// The loss's bits followed by the gradient's.
    static func bits<T: SoftSortScalar>(_ loss: Loss<T>) -> [UInt64] {
        [bits(loss.value)] + loss.gradient.map { bits($0) }
    }

    /// The address of an array's first element (nil when empty).
    static func address<T>(_ array: [T]) -> UInt? {
        array.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
    }

    /// Every output and backward of one forward on `path`, as bits: the
    /// permutation, log Z, P s and its backward, P^T r and its backward, P V
    /// (d = 2) and both its gradients, and with `transposed` P^T U and both
    /// of its gradients. Every output must report `path`.
    static func outputBits<T: SoftSortScalar>(
        _ result: RelaxedPermutation<T>, upstream: [T], values: [T], path: SoftSortPath, transposed: Bool = false
    ) throws -> [[UInt64]] {
        let sorted = try result.sortedValues(), ranks = try result.ranks()
        let product = try result.apply(to: values, dimension: 2)
        let productGradient = try product.backward(values)
        #expect(sorted.path == path && ranks.path == path && product.path == path)
        var bits = [
            result.permutation.map { UInt64($0) }, try result.logNormalizers().map(Self.bits),
            sorted.values.map(Self.bits), try sorted.backward(upstream).map(Self.bits),
            ranks.values.map(Self.bits), try ranks.backward(upstream).map(Self.bits),
            product.values.map(Self.bits), productGradient.scores.map(Self.bits), productGradient.values.map(Self.bits),
        ]
        if transposed {
            let other = try result.applyTransposed(to: values, dimension: 2), otherGradient = try other.backward(values)
            #expect(other.path == path)
            bits += [other.values.map(Self.bits), otherGradient.scores.map(Self.bits), otherGradient.values.map(Self.bits)]
        }
        return bits
    }

    /// `outputBits` of `op` on `path` over `shapes` with one reused
    /// workspace, each shape against a forward without one: the same bits.
    static func reuseOutputs<T: SoftSortScalar>(
        _ op: SoftSort, path: SoftSortPath, _: T.Type, shapes: [(Int, Int)], spread: Double, seed: UInt64,
        transposed: Bool = false
    ) throws {
        let workspace = Workspace<T>()
        for (index, (batch, n)) in shapes.enumerated() {
            let (raw, _) = input(batch: batch, count: n, spread: spread, seed: UInt64(index) + seed)
            let scores = raw.map { T($0) }
            var g = TestRandom(seed: UInt64(index))
            let upstream = (0..<batch * n).map { _ in T(g.uniform()) }
            let values = (0..<batch * n * 2).map { _ in T(g.uniform()) }
            let fresh = try outputBits(
                op.forward(scores: scores, batch: batch, count: n, path: path), upstream: upstream, values: values,
                path: path, transposed: transposed)
            let reused = try outputBits(
                op.forward(scores: scores, batch: batch, count: n, path: path, workspace: workspace),
                upstream: upstream, values: values, path: path, transposed: transposed)
            #expect(reused == fresh, "\(T.self) B = \(batch) n = \(n) threads = \(op.threads ?? 0) \(op.direction)")
        }
    }

    /// The cross-entropy of `op` on `path`, through `workspace` when given.
    static func crossEntropy<T: SoftSortScalar>(
        _ op: SoftSort, path: SoftSortPath, scores: [T], targets: [Int], batch: Int, count: Int,
        workspace: Workspace<T>? = nil
    ) throws -> Loss<T> {
        try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
            .crossEntropy(targets: targets)
    }

    /// `kept(workspace)` lists the addresses of the path's own buffers, which
    /// must not change between two calls of the same shape.
    /// Scores of spread 3 from `seed`, then the same reversed.
    static func check(
        _ op: SoftSort, path: SoftSortPath, batch: Int, count n: Int, seed: UInt64, kept: (Workspace<Float>) -> [UInt?]
    ) throws {
        let (raw, targets) = input(batch: batch, count: n, spread: 3, seed: seed)
        let scores = raw.map { Float($0) }, other = raw.reversed().map { Float($0) }
        let workspace = Workspace<Float>()
        let firstAddress: UInt?, keptAddresses: [UInt?]
        do {
            let loss = try crossEntropy(
                op, path: path, scores: scores, targets: targets, batch: batch, count: n, workspace: workspace)
            firstAddress = address(loss.gradient)
            #expect(firstAddress != nil && firstAddress == address(workspace.loss.gradient))
            keptAddresses = kept(workspace)
        }
        #expect(!keptAddresses.contains { $0 == nil || $0 == 0 })
        // The previous Loss is gone: the next call writes the same storage.
        let second = try crossEntropy(
            op, path: path, scores: other, targets: targets, batch: batch, count: n, workspace: workspace)
        #expect(address(second.gradient) == firstAddress)
        #expect(kept(workspace) == keptAddresses)
        // `second` is kept: the next call copies the workspace's gradient first.
        let secondBits = bits(second)
        let third = try crossEntropy(
            op, path: path, scores: scores, targets: targets, batch: batch, count: n, workspace: workspace)
        #expect(bits(second) == secondBits)
        #expect(address(second.gradient) != address(third.gradient))
        let fresh = try crossEntropy(op, path: path, scores: scores, targets: targets, batch: batch, count: n)
        #expect(bits(third) == bits(fresh))
    }

    /// One workspace through `shapes` (growing, shrinking, coming back), each
    /// `path` call's bits against `reference` (the same loss without the
    /// workspace); a fused call in the same workspace between small shapes
    /// leaves the next call's bits alone.
    static func reuse<T: SoftSortScalar>(
        _ op: SoftSort, path: SoftSortPath, _: T.Type, shapes: [(Int, Int)], spread: Double, seed: UInt64,
        reference: (_ scores: [T], _ targets: [Int], _ batch: Int, _ count: Int) throws -> Loss<T>
    ) throws {
        let workspace = Workspace<T>()
        for (index, (batch, n)) in shapes.enumerated() {
            let (raw, targets) = input(batch: batch, count: n, spread: spread, seed: seed + UInt64(index))
            let scores = raw.map { T($0) }
            let expected = try reference(scores, targets, batch, n)
            let reused = try crossEntropy(
                op, path: path, scores: scores, targets: targets, batch: batch, count: n, workspace: workspace)
            let label = "\(T.self) B = \(batch) n = \(n) threads = \(op.threads ?? 0) \(op.direction)"
            #expect(reused.path == path && reused.backend == expected.backend && reused.gradient.count == batch * n, "\(label)")
            #expect(bits(reused) == bits(expected), "\(label)")
            if batch * n > 0 && n <= 100 {
                _ = try crossEntropy(
                    op, path: .fused, scores: scores, targets: targets, batch: batch, count: n, workspace: workspace)
            }
        }
    }
}
