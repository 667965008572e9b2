#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SoftSortKit

/// Which row output a values call computes.
enum ValuesOutput {
    /// `P s`.
    case sortedValues
    /// `P^T (1, ..., n)`.
    case ranks
}

/// Sorted values or ranks a pooled workspace computed, kept with what they
/// were computed from, so that the backward call that follows (the binding
/// calls forward and backward separately) runs their backward instead of
/// the whole forward again (the sort, the scans' preparation, the output).
///
/// Kept only on the `O(B n)` paths (`.exact`, `.gauss`; never the dense
/// `B x n x n` matrices), and matched bit for bit: the output, every option,
/// the backend setting, the shape and every score. A forward is a function
/// of exactly these (the thread count changes no bit), so a match gives the
/// bits of a forward computed anew. Dropped when the workspace's next call
/// begins a forward, which then reuses its storage, and with the pool.
final class KeptValues<T: SoftSortScalar> {
    let output: ValuesOutput
    let options: CallOptions
    let backend: Backend?
    let batch: Int64
    let count: Int64
    let scores: [T]
    let values: RelaxedValues<T>

    /// `nil` on a path that is not kept.
    init?(
        _ output: ValuesOutput, _ options: CallOptions, _ scores: [T], batch: Int64, count: Int64,
        _ values: RelaxedValues<T>
    ) {
        guard values.path == .exact || values.path == .gauss else { return nil }
        self.output = output
        self.options = options
        self.backend = Settings.backend
        self.batch = batch
        self.count = count
        self.scores = scores
        self.values = values
    }

    /// Whether a call of `output` with these arguments would compute the kept values.
    func matches(_ output: ValuesOutput, _ options: CallOptions, _ scores: [T], batch: Int64, count: Int64) -> Bool {
        guard output == self.output, batch == self.batch, count == self.count, Settings.backend == backend,
              options.sameBits(as: self.options), scores.count == self.scores.count else { return false }
        return scores.withUnsafeBytes { a in
            self.scores.withUnsafeBytes { b in
                a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
            }
        }
    }
}
