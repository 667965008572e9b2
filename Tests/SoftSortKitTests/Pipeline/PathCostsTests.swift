import Testing
@testable import SoftSortKit

/// The measured cost table `.automatic` reads (`PathCosts`): every path it
/// holds computes its row's output for its `p` class, its runs are ordered,
/// and the lookup follows the rows and runs it was given.
@Suite("Path costs: the measured table and its lookup")
struct PathCostsTests {
    static func method(_ power: PathCosts.PowerClass) -> DenseMethod {
        switch power {
        case .one: return .softSort(.one)
        case .two: return .softSort(.two)
        case .other: return .softSort(.general(1.5))
        }
    }

    @Test("every path of the table computes its output exactly for its p, in increasing runs")
    func tableCoversItsOutputs() throws {
        for entry in PathCosts.table {
            #expect(entry.paths.count == entry.upTo.count && !entry.paths.isEmpty)
            #expect(entry.upTo.last == .max, "\(entry.output) the last run has no end")
            #expect(zip(entry.upTo, entry.upTo.dropFirst()).allSatisfy { $0 < $1 }, "\(entry.output) runs in order")
            for path in entry.paths {
                #expect(SoftSortPath.exactCandidates.contains(path), "\(entry.output) \(path): an exact path")
                #expect(throws: Never.self, "\(entry.output) \(entry.power) \(path)") {
                    try Plan<Float>.check(path, method: Self.method(entry.power))
                    try Plan<Float>.require(path, covers: entry.output, method: Self.method(entry.power))
                }
            }
        }
    }

    @Test("the lookup: nearest batch in log scale after the thread scaling, then the run holding n")
    func lookup() {
        let candidates: [SoftSortPath] = [.gauss, .fused, .dense]
        func choose(batch: Int, count: Int, threads: Int) -> SoftSortPath {
            PathCosts.cheapest(
                among: candidates, output: .crossEntropy, power: .two, batch: batch, count: count, element: .float,
                threads: threads)
        }
        for entry in PathCosts.table where entry.output == .crossEntropy && entry.power == .two && entry.element == .float {
            for (k, end) in entry.upTo.enumerated() {
                let start = k == 0 ? 1 : entry.upTo[k - 1] + 1
                for n in Set([start, end == .max ? 1 << 20 : end]) {
                    #expect(choose(batch: entry.batch, count: n, threads: PathCosts.measuredThreads) == entry.paths[k],
                            "B \(entry.batch) n \(n)")
                }
            }
        }
        // A path the table holds that is not among the candidates gives the first candidate.
        let held = choose(batch: 4096, count: 8, threads: PathCosts.measuredThreads)
        let others = candidates.filter { $0 != held }
        #expect(PathCosts.cheapest(
            among: others, output: .crossEntropy, power: .two, batch: 4096, count: 8, element: .float,
            threads: PathCosts.measuredThreads) == others[0])
    }

    @Test(".automatic reports the table's path, and it computes the same loss as that path")
    func automaticMatchesItsPath() throws {
        let scores: [Float] = (0..<64 * 16).map { Float(($0 * 37) % 101) / 50 - 1 }
        let targets = (0..<64 * 16).map { ($0 * 5 + 3) % 16 }
        let softSort = SoftSort(temperature: 0.3, power: 2, threads: 1)
        let automatic = try softSort.forward(scores: scores, batch: 64, count: 16)
        let chosen = try #require(try automatic.path(for: "crossEntropy"))
        let loss = try automatic.crossEntropy(targets: targets)
        #expect(loss.path == chosen && chosen != .automatic)
        let explicit = try softSort.forward(scores: scores, batch: 64, count: 16, path: chosen).crossEntropy(targets: targets)
        #expect(loss.value == explicit.value && loss.gradient == explicit.gradient)
    }
}
