import Foundation
import Testing
@testable import SoftSortKit

/// `GaussPlan.make` picks, per candidate cell width, the smallest order whose
/// `truncationBounds` meet the accuracy, growing the bound one factor per
/// order. Checked against the definition: the order computed from
/// `truncationBounds` itself, and the plan that follows, for accuracies,
/// extents and row lengths across their ranges.
@Suite("Gauss plan")
struct GaussPlanTests {
    /// The plan as the definition states it: every order's bounds from `truncationBounds`.
    static func reference(accuracy: Double, extent: Double, count n: Int) -> GaussPlan {
        let epsilon = min(max(accuracy, 1e-16), 1e-2)
        var radius = (-log(epsilon)).squareRoot()
        for _ in 0..<4 { radius = (-log(epsilon) + log(max(radius, 1)) + 0x1p-6).squareRoot() }
        let span = max(extent, 1e-6), count = Double(max(n, 1))
        let momentTarget = epsilon * min(1, span / 0.5)
        var best = GaussPlan(
            width: 0.5, order: GaussPlan.maximumOrder, radius: radius, expansionThreshold: GaussPlan.maximumOrder)
        var bestCost = Double.infinity
        for candidate in [0.5, 0.25, 0.125, 0.0625] {
            let width = min(candidate, span)
            var order = 1
            while order < GaussPlan.maximumOrder {
                let (e0, e1) = GaussPlan.truncationBounds(order: order, width: width)
                if e0 <= epsilon && e1 <= momentTarget { break }
                order += 1
            }
            let p = Double(order), threshold = max(4, order / 2)
            let cells = min(count, span / width + 1), perCell = count / cells
            let pairs = min(cells, 2 * radius / width + 3)
            let cost = perCell >= Double(threshold)
                ? 4 * count * p + cells * pairs * p * p / 2
                : 6 * count * min(count, perCell * pairs)
            if cost < bestCost {
                bestCost = cost
                best = GaussPlan(width: width, order: order, radius: radius, expansionThreshold: threshold)
            }
            if span <= candidate { break }
        }
        return best
    }

    @Test("make gives the plan of the definition: width, order, radius and threshold, bit for bit")
    func sameAsTheDefinition() {
        let accuracies = [1e-20, 1e-16, 1e-12, 1e-9, 3e-7, 1e-6, 1e-4, 1e-3, 1e-2, 0.5]
        let extents = [0, 1e-9, 1e-3, 0.03, 0.0625, 0.1, 0.25, 0.4, 0.5, 1, 3, 17, 1e3, 1e6, 1e12]
        for accuracy in accuracies {
            for extent in extents {
                for n in [1, 2, 8, 16, 100, 4000, 1 << 20] {
                    let got = GaussPlan.make(accuracy: accuracy, extent: extent, count: n)
                    let expected = Self.reference(accuracy: accuracy, extent: extent, count: n)
                    let same = got.width.bitPattern == expected.width.bitPattern && got.order == expected.order
                        && got.radius.bitPattern == expected.radius.bitPattern
                        && got.expansionThreshold == expected.expansionThreshold
                    #expect(same, "accuracy \(accuracy) extent \(extent) n \(n): \(got), expected \(expected)")
                }
            }
        }
    }
}
