import Foundation
import Testing
@testable import SoftSortKit

/// The window path's sparse rows (`path: .window(...)`, `sparseRows(rows:)`): a full window equals
/// the dense result, the dropped-mass bound holds, windows are the documented
/// ones, and the backward matches the dense backward and finite differences.
@Suite("Window path: sparse rows")
struct WindowTests {
    /// Tie-free rows in `[0, 1)`.
    static func scores(batch: Int, count: Int, seed: UInt64) -> [Double] {
        var random = TestRandom(seed: seed)
        return (0..<batch).flatMap { _ in random.distinct(count) }
    }

    /// The first `k` rows of every batch row of the dense reference.
    static func denseRows(_ p: [Double], batch: Int, count n: Int, rows k: Int) -> [Double] {
        var result: [Double] = []
        for b in 0..<batch { result += p[b * n * n ..< (b * n + k) * n] }
        return result
    }

    @Test("A full window equals the dense result (forward and backward, any p, both directions)",
          arguments: [1.0, 2.0, 1.5])
    func fullWindow(power: Double) throws {
        let batch = 3, n = 13, k = 5, tau = 0.2
        for direction in [SortDirection.descending, .ascending] {
            let s = Self.scores(batch: batch, count: n, seed: UInt64(power * 10))
            let dense = Reference.softSort(
                scores: s, batch: batch, count: n, temperature: tau, power: power, direction: direction)
            for window in [SoftSortPath.Window.ranks(n), .ranks(Int.max), .tolerance(1e-300)] {
                let op = SoftSort(temperature: tau, power: power, direction: direction)
                let result = try op.forward(scores: s, batch: batch, count: n, path: .window(window)).sparseRows(rows: k)
                #expect(result.rows == k && result.path == .window(window))
                #expect(result.rowOffsets.last == batch * k * n)
                #expect(result.droppedMass.allSatisfy { $0 == 0 })
                #expect(relativeError(result.denseRows(), Self.denseRows(dense, batch: batch, count: n, rows: k))
                        <= 1e-12)
                // Backward: dL/dP = G on the kept rows, 0 below.
                let g = (0..<result.values.count).map { Double(($0 * 37) % 11) / 11 - 0.5 }
                var full = [Double](repeating: 0, count: batch * n * n)
                for b in 0..<batch {
                    for i in 0..<k {
                        let r = b * k + i
                        for e in result.rowOffsets[r] ..< result.rowOffsets[r + 1] {
                            full[(b * n + i) * n + result.columns[e]] = g[e]
                        }
                    }
                }
                let expected = Reference.softSortBackward(
                    scores: s, batch: batch, count: n, temperature: tau, power: power, direction: direction,
                    gradient: full)
                #expect(relativeError(try result.backward(g), expected) <= 1e-12)
                // Float.
                let floatResult = try op.forward(scores: s.map { Float($0) }, batch: batch, count: n, path: .window(window))
                    .sparseRows(rows: k)
                let floatDense = Reference.softSort(
                    scores: s.map { Double(Float($0)) }, batch: batch, count: n, temperature: Double(Float(tau)),
                    power: power, direction: direction)
                #expect(relativeError(floatResult.denseRows(),
                                           Self.denseRows(floatDense, batch: batch, count: n, rows: k)) <= 1e-5)
            }
        }
    }

    @Test("The dropped-mass bound holds and the windows are the documented ones")
    func boundHolds() throws {
        let batch = 2, n = 60, k = 40
        let original = Self.scores(batch: batch, count: n, seed: 3)
        for useFloat in [false, true] {
            // Float runs on Float-rounded scores; the reference uses the same ones.
            let s = useFloat ? original.map { Double(Float($0)) } : original
            let sorted = (0..<batch).map { b in
                Reference.order(Array(s[b * n ..< (b + 1) * n]), direction: .descending).map { s[b * n + $0] }
            }
            for power in [1.0, 2.0, 0.7] {
                for tau in [0.002, 0.02, 0.3] {
                    let dense = Reference.softSort(scores: s, batch: batch, count: n, temperature: tau, power: power)
                    for window in [SoftSortPath.Window.ranks(0), .ranks(2), .ranks(9), .tolerance(1e-3),
                                   .tolerance(1e-7)] {
                        let op = SoftSort(temperature: tau, power: power)
                        try check(op, s, useFloat: useFloat, dense: dense, sorted: sorted, window: window)
                    }
                }
            }
        }

        func check(
            _ op: SoftSort, _ s: [Double], useFloat: Bool, dense: [Double], sorted: [[Double]],
            window: SoftSortPath.Window
        ) throws {
            let result = try op.forward(scores: s, batch: batch, count: n, path: .window(window)).sparseRows(rows: k)
            let floatResult = useFloat
                ? try op.forward(scores: s.map { Float($0) }, batch: batch, count: n, path: .window(window)).sparseRows(rows: k)
                : nil
            let bounds = floatResult?.droppedMass.map(Double.init) ?? result.droppedMass
            if let floatResult {
                #expect(floatResult.firstRank == result.firstRank && floatResult.rowOffsets == result.rowOffsets)
            }
            for b in 0..<batch {
                for i in 0..<k {
                    let r = b * k + i, low = result.firstRank[r]
                    let width = result.rowOffsets[r + 1] - result.rowOffsets[r]
                    var kept = 0.0
                    for e in result.rowOffsets[r] ..< result.rowOffsets[r + 1] {
                        kept += dense[(b * n + i) * n + result.columns[e]]
                    }
                    // The dropped mass, summed directly (not 1 - kept, which cancels).
                    var dropped = 0.0
                    for j in 0..<n where j < low || j >= low + width {
                        dropped += dense[(b * n + i) * n + result.permutation[b * n + j]]
                    }
                    #expect(dropped <= bounds[r], "p \(op.power) tau \(op.temperature) \(window) row \(i)")
                    #expect(bounds[r] <= 1)
                    if width == n { #expect(bounds[r] == 0) }
                    // Not vacuous: each dropped kernel term is below the tolerance and Z >= 1.
                    if case .tolerance(let t) = window { #expect(bounds[r] <= 1.01 * Double(n) * t + 1e-44) }
                    switch window {
                    case .ranks(let w):
                        #expect(low == max(0, i - w) && low + width - 1 == min(n - 1, i + w))
                    case .tolerance(let t):
                        let radius = pow(-op.temperature * log(t), 1 / op.power)
                        for j in 0..<n {
                            let inside = j >= low && j < low + width
                            #expect(inside == (abs(sorted[b][j] - sorted[b][i]) <= radius))
                        }
                    }
                    // Kept entries are the dense ones renormalized.
                    for e in result.rowOffsets[r] ..< result.rowOffsets[r + 1] {
                        let expected = dense[(b * n + i) * n + result.columns[e]] / kept
                        #expect(abs(result.values[e] - expected) <= 1e-12)
                        if let floatResult { #expect(abs(Double(floatResult.values[e]) - expected) <= 1e-5) }
                    }
                }
            }
        }
    }

    @Test("Backward of a partial window against central finite differences (Double)")
    func finiteDifferences() throws {
        let batch = 2, n = 15, tau = 0.1
        let s = Self.scores(batch: batch, count: n, seed: 17)
        for power in [1.0, 2.0] {
            let op = SoftSort(temperature: tau, power: power)
            func rows(_ s: [Double]) throws -> SparseRows<Double> {
                try op.forward(scores: s, batch: batch, count: n, path: .window(.ranks(3))).sparseRows(rows: 6)
            }
            let result = try rows(s)
            let g = (0..<result.values.count).map { Double(($0 * 29) % 13) / 13 - 0.4 }
            let gradient = try result.backward(g)
            let h = 1e-6
            for j in 0..<batch * n {
                var plus = s, minus = s
                plus[j] += h
                minus[j] -= h
                let lp = zip(try rows(plus).values, g).reduce(0) { $0 + $1.0 * $1.1 }
                let lm = zip(try rows(minus).values, g).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs((lp - lm) / (2 * h) - gradient[j]) <= 1e-6 * max(1, abs(gradient[j])))
            }
        }
    }

    @Test("Sparse format: offsets, columns, rows summing to 1; edge sizes; validation")
    func format() throws {
        for n in [0, 1, 2, 9] {
            let s = Self.scores(batch: 2, count: n, seed: 5)
            // rows above n is an error (not clamped): ask for at most n rows.
            let k = min(4, n)
            let result = try SoftSort(temperature: 0.5)
                .forward(scores: s.map { Float($0) }, batch: 2, count: n, path: .window(.ranks(1))).sparseRows(rows: k)
            #expect(result.rows == k && result.rowOffsets.count == 2 * k + 1)
            for r in 0..<2 * k {
                let row = result.values[result.rowOffsets[r] ..< result.rowOffsets[r + 1]]
                #expect(abs(row.reduce(0, +) - 1) <= 1e-6)
                let b = r / k
                for e in result.rowOffsets[r] ..< result.rowOffsets[r + 1] {
                    #expect(result.columns[e] == result.permutation[b * n + result.firstRank[r] + e - result.rowOffsets[r]])
                }
            }
        }
        let op = SoftSort()
        // The window is checked by the forward, the rows by sparseRows(rows:).
        #expect(throws: SoftSortError.invalidArgument(name: "tolerance", value: 1)) {
            try op.forward(scores: [1.0], batch: 1, count: 1, path: .window(.tolerance(1)))
        }
        #expect(throws: SoftSortError.invalidWindowWidth(-1)) {
            try op.forward(scores: [1.0], batch: 1, count: 1, path: .window(.ranks(-1)))
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "rows", value: -2, count: 1)) {
            try op.forward(scores: [1.0], batch: 1, count: 1, path: .window(.ranks(1))).sparseRows(rows: -2)
        }
        #expect(throws: SoftSortError.invalidRowSelection(argument: "rows", value: 2, count: 1)) {
            try op.forward(scores: [1.0], batch: 1, count: 1, path: .window(.ranks(1))).sparseRows(rows: 2)
        }
        #expect(throws: SoftSortError.invalidPower(0)) {
            try SoftSort(power: 0).forward(scores: [1.0], batch: 1, count: 1, path: .window(.ranks(1)))
        }
        let result = try op.forward(scores: [1.0, 3, 2], batch: 1, count: 3, path: .window(.ranks(1))).sparseRows()
        #expect(result.rows == 3)
        #expect(throws: SoftSortError.sizeMismatch(argument: "gradient", expected: result.values.count, actual: 1)) {
            try result.backward([1])
        }
    }

    @Test("Finite results and bounds for extreme temperatures and scores")
    func extremes() throws {
        let batch = 2, n = 20
        for magnitude in [1e-3, 1.0, 1e30] {
            for tau in [1e-6, 1.0, 1e6] {
                let s = Self.scores(batch: batch, count: n, seed: 9).map { $0 * magnitude }
                for power in [1.0, 2.0] {
                    let op = SoftSort(temperature: tau, power: power)
                    let f = try op.forward(scores: s.map { Float($0) }, batch: batch, count: n, path: .window(.ranks(2)))
                        .sparseRows(rows: 5)
                    let d = try op.forward(scores: s, batch: batch, count: n, path: .window(.ranks(2))).sparseRows(rows: 5)
                    #expect(f.values.allSatisfy(\.isFinite) && d.values.allSatisfy(\.isFinite))
                    #expect(f.droppedMass.allSatisfy { $0 >= 0 && $0 <= 1 })
                    let gf = try f.backward([Float](repeating: 0.5, count: f.values.count))
                    let gd = try d.backward([Double](repeating: 0.5, count: d.values.count))
                    #expect(gf.allSatisfy(\.isFinite) && gd.allSatisfy(\.isFinite))
                }
            }
        }
    }

    @Test("Bitwise identical results for 1, 2, 3, 7 and 8 threads (forward and backward)")
    func threadCounts() throws {
        // 16 B n = 327 680 element-operations: past the scheduler's serial threshold
        // for the sorts; the kernels' passes and the backward (16 x the kept
        // entries, about 2.5 million) run on the scheduler too.
        let topK = 9
        let batch = 40, n = 512
        let s = Self.scores(batch: batch, count: n, seed: 12).map { Float($0) }
        func run(_ threads: Int) throws -> (values: [Float], dropped: [Float], gradient: [Float]) {
            let result = try SoftSort(temperature: 0.05, power: 2, threads: threads)
                .forward(scores: s, batch: batch, count: n, path: .window(.tolerance(1e-6))).sparseRows(rows: topK)
            #expect(result.threads == threads)
            let g = (0..<result.values.count).map { Float(($0 * 29) % 13) / 13 - 0.5 }
            return (result.values, result.droppedMass, try result.backward(g))
        }
        let one = try run(1)
        #expect(16 * one.values.count >= 1 << 18, "the kernels' passes must reach the scheduler")
        #expect(one.gradient.allSatisfy(\.isFinite) && one.gradient.contains { $0 != 0 })
        for threads in [2, 3, 7, 8] {
            let other = try run(threads)
            #expect(other.values.elementsEqual(one.values, by: { $0.bitPattern == $1.bitPattern }), "threads \(threads)")
            #expect(other.dropped.elementsEqual(one.dropped, by: { $0.bitPattern == $1.bitPattern }), "threads \(threads)")
            #expect(other.gradient.elementsEqual(one.gradient, by: { $0.bitPattern == $1.bitPattern }), "threads \(threads)")
        }
        #expect(throws: SoftSortError.invalidThreadCount(0)) {
            try SoftSort(threads: 0).forward(scores: s, batch: batch, count: n, path: .window(.ranks(1)))
        }
    }

    @Test("One batch row: its kept rows spread over threads, the same bits for 1, 2 and 7 threads")
    func singleRowThreadCounts() throws {
        // B = 1: the kernels run per block of kept rows (200 rows, 12 blocks);
        // 16 x the kept entries is past the serial threshold.
        let n = 4000
        let s = Self.scores(batch: 1, count: n, seed: 13).map { Float($0) }
        func run(_ threads: Int) throws -> (values: [Float], dropped: [Float], columns: [Int], gradient: [Float]) {
            let result = try SoftSort(temperature: 1e-3, power: 1, threads: threads)
                .forward(scores: s, batch: 1, count: n, path: .window(.tolerance(1e-6))).sparseRows(rows: 200)
            let g = (0..<result.values.count).map { Float(($0 * 31) % 17) / 17 - 0.5 }
            return (result.values, result.droppedMass, result.columns, try result.backward(g))
        }
        let one = try run(1)
        #expect(16 * one.values.count >= 1 << 18, "the kernels' pass must reach the scheduler")
        for threads in [2, 7] {
            let other = try run(threads)
            #expect(other.values.elementsEqual(one.values, by: { $0.bitPattern == $1.bitPattern }), "threads \(threads)")
            #expect(other.dropped.elementsEqual(one.dropped, by: { $0.bitPattern == $1.bitPattern }), "threads \(threads)")
            #expect(other.columns == one.columns, "threads \(threads)")
            #expect(other.gradient.elementsEqual(one.gradient, by: { $0.bitPattern == $1.bitPattern }), "threads \(threads)")
        }
    }
}
