#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The rows a `GumbelPerturbation` makes, and the fold of their score
/// gradients back onto the caller's rows.
struct PerturbedRows<T: SoftSortScalar>: Sendable {
    /// The caller's scores, `batch x count`.
    let scores: [T]
    let batch: Int
    let count: Int
    let samplesPerRow: Int
    let scoreKind: GumbelPerturbation.ScoreKind

    /// Checks the perturbation against checked scores and draws the
    /// `batch * samplesPerRow` perturbed rows.
    static func make(
        _ perturbation: GumbelPerturbation, scores: [T], shape: BatchShape
    ) throws(SoftSortError) -> (rows: PerturbedRows<T>, perturbed: [T], shape: BatchShape) {
        let m = perturbation.samplesPerRow
        guard m >= 1 else { throw .invalidSampleCount(m) }
        let (rows, overflow) = shape.batch.multipliedReportingOverflow(by: m)
        guard !overflow else { throw .shapeOverflow(batch: shape.batch, count: shape.count) }
        do {
            try Validation.footprint(BatchShape(batch: rows, count: shape.count), .rows)
        } catch {
            throw .shapeOverflow(batch: shape.batch, count: shape.count)
        }
        let n = shape.count
        try MemoryBudget.require(
            rows * n, of: T.self, alternative: "fewer samplesPerRow, or the rows in several calls")
        // Rows of no scores: their per-row state (16 bytes a row), as Validation.batch.
        if n == 0 {
            try MemoryBudget.require(
                MemoryBudget.product(rows, 2), of: Int.self, alternative: "fewer samplesPerRow of empty rows")
        }
        if perturbation.scoreKind == .positive, let bad = Validation.firstIndex(in: scores, where: { $0 <= 0 }) {
            throw .nonPositiveScore(row: bad / n, column: bad % n)
        }
        let noise = GumbelNoise(seed: perturbation.seed)
        var perturbed = [T](repeating: 0, count: rows * n)
        for b in 0..<shape.batch {
            for sample in 0..<m {
                let base = (b * m + sample) * n
                noise.fill(row: b, sample: sample, count: n) { j, g in
                    let s = Double(scores[b * n + j])
                    perturbed[base + j] = T((perturbation.scoreKind == .positive ? log(s) : s) + g)
                }
            }
        }
        // A huge log-score plus noise can round to infinity in T.
        if let bad = Validation.firstNonFinite(perturbed) {
            throw .nonFiniteScore(row: bad / n / m, column: bad % n)
        }
        let folded = PerturbedRows(
            scores: scores, batch: shape.batch, count: n, samplesPerRow: m, scoreKind: perturbation.scoreKind)
        return (folded, perturbed, BatchShape(batch: rows, count: n))
    }

    /// `dL/ds` of the caller's scores given `dL/ds~` of the perturbed rows:
    /// the samples' sum (`ds~/ds = 1`), divided by `s` for positive scores.
    func fold(_ gradient: [T]) -> [T] {
        let n = count, m = samplesPerRow
        var result = [T](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for sample in 0..<m {
                for j in 0..<n { result[b * n + j] += gradient[(b * m + sample) * n + j] }
            }
            if scoreKind == .positive {
                for j in 0..<n { result[b * n + j] /= scores[b * n + j] }
            }
        }
        return result
    }

    /// Each caller row's entries once per sample: `batch x count` to the
    /// samples' `batch * samplesPerRow x count`.
    func repeatRows<E>(_ rows: [E]) -> [E] {
        var result: [E] = []
        result.reserveCapacity(rows.count * samplesPerRow)
        for b in 0..<batch {
            for _ in 0..<samplesPerRow { result += rows[b * count ..< (b + 1) * count] }
        }
        return result
    }

    /// A loss summed over the samples' rows (its gradient folded) as the mean over the samples.
    func sampleMean(_ loss: Loss<T>) -> Loss<T> {
        let m = T(samplesPerRow)
        return Loss(value: loss.value / m, gradient: loss.gradient.map { $0 / m }, path: loss.path, backend: loss.backend)
    }
}
