import Testing
@testable import SoftSortKit

/// `GaussPlan.smallestOrder`, which `make` asks once per candidate cell
/// width, grows the truncation bound one factor per order: checked against
/// the definition, the first order whose `truncationBounds` meet both
/// targets, for widths, accuracies and moment targets across their ranges.
@Suite("Gauss plan")
struct GaussPlanTests {
    /// The definition: every order's bounds from `truncationBounds`.
    static func reference(width: Double, value epsilon: Double, moment target: Double) -> Int {
        var order = 1
        while order < GaussPlan.maximumOrder {
            let (e0, e1) = GaussPlan.truncationBounds(order: order, width: width)
            if e0 <= epsilon && e1 <= target { break }
            order += 1
        }
        return order
    }

    @Test("smallestOrder is the definition's order for every width, accuracy and moment target")
    func sameAsTheDefinition() {
        let widths = [1e-6, 1e-3, 0.01, 0.03, 0.0625, 0.1, 0.125, 0.25, 0.4, 0.5]
        let accuracies = [1e-16, 1e-12, 1e-9, 3e-7, 1e-6, 1e-4, 1e-3, 1e-2]
        var orders = Set<Int>()
        for width in widths {
            for epsilon in accuracies {
                for target in [epsilon, epsilon * 0.5, epsilon * 1e-3, epsilon * 1e-9] {
                    let got = GaussPlan.smallestOrder(width: width, value: epsilon, moment: target)
                    let expected = Self.reference(width: width, value: epsilon, moment: target)
                    #expect(got == expected, "width \(width) epsilon \(epsilon) moment \(target)")
                    orders.insert(got)
                }
            }
        }
        // The grid reaches small and large orders.
        #expect(orders.min()! <= 3 && orders.max()! >= 30 && orders.count > 20, "\(orders.sorted())")
    }
}
