import Foundation
import SoftSortKit

extension ScanCommand {
    /// `scan` section (3c): the windowed operator on a batch, whose rows the
    /// scheduler spreads over threads. B = 20, n = 4000, U(0, 1) scores,
    /// every row kept (`sparseRows()`), tolerance 1e-7, tau 1e-3, p = 1 and 2,
    /// forward + backward on 1 and 2 threads; the time per kept entry and the
    /// 2-thread speedup are printed.
    func scanWindowBatch(_ generator: inout SplitMix, report: (Result) -> Void) throws {
        let batch = 20, n = 4000
        print("window: B = \(batch), n = \(n), every row, tolerance 1e-7, tau 1e-3, fwd+bwd, 1 and 2 threads")
        let scores = (0..<batch * n).map { _ in Float(generator.nextUnit()) }
        for power in [1.0, 2.0] {
            var oneThread = 0.0
            for threads in [1, 2] {
                let windowed = SoftSort(temperature: 1e-3, power: power, threads: threads)
                func rows() throws -> SparseRows<Float> {
                    try windowed.forward(scores: scores, batch: batch, count: n, path: .window(.tolerance(1e-7)))
                        .sparseRows()
                }
                let entries = try rows().values.count
                let gradient = [Float](repeating: 0.5, count: entries)
                let ms = try Timing.medianMilliseconds(repetitions) {
                    let back = try rows().backward(gradient)
                    precondition(back.count == batch * n)
                }
                if threads == 1 { oneThread = ms }
                print(String(
                    format: "  p = %.0f  threads %d  entries %9d  %.2f ms  %.2f ns per kept entry  %.2fx one thread",
                    power, threads, entries, ms, ms * 1e6 / Double(entries), oneThread / ms))
                report(Result(case: "window-p\(Int(power))-B20-t\(threads)-fwd+bwd", n: n, batch: batch, ms: ms))
            }
        }
    }
}
