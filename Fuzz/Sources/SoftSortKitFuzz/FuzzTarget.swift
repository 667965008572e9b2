#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SoftSortKit

/// One input of libFuzzer (its driver is started in main.swift): the bytes become one forward of the public API
/// and a few of its outputs and backwards (`APICall`). Each call must return
/// a `SoftSortError` or results of the documented length that are finite
/// (losses and score gradients: free of NaN, `+-infinity` allowed where the
/// true value is beyond the type's range, the documented rule); anything else
/// aborts, and libFuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    var bytes = FuzzBytes(UnsafeBufferPointer(start: data, count: size))
    if bytes.byte() & 1 == 0 {
        APICall<Float>.run(&bytes, workspace: Workspaces.float)
    } else {
        APICall<Double>.run(&bytes, workspace: Workspaces.double)
    }
    return 0
}

/// One workspace per element type, reused across inputs (the reuse a
/// training loop makes), or none.
enum Workspaces {
    static let float = Workspace<Float>()
    static let double = Workspace<Double>()
}

/// The input read front to back; past its end every read gives zeros.
struct FuzzBytes {
    let buffer: UnsafeBufferPointer<UInt8>
    var offset = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    var isEmpty: Bool { offset >= buffer.count }

    mutating func byte() -> UInt8 {
        guard offset < buffer.count else { return 0 }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func word() -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(byte()) << (8 * k) }
        return value
    }

    /// Small values mostly, the ends of `Int` sometimes.
    mutating func integer(small: Int) -> Int {
        let tag = byte()
        switch tag {
        case 0..<200: return Int(tag) % (small + 1)
        case 200..<240:
            let extremes = [
                0, -1, Int.min, Int.max, Int.max / 2, Int.max / 4, 1 << 31, 1 << 32, Int(UInt32.max), (1 << 32) + 1,
                1 << 40, 1 << 62, -(1 << 31), Parallelism.maximumThreadCount, Parallelism.maximumThreadCount + 1,
            ]
            return extremes[Int(tag - 200) % extremes.count]
        default: return Int(truncatingIfNeeded: word())
        }
    }

    /// A real: a table of ordinary and extreme values, or raw bits.
    mutating func real<T: BinaryFloatingPoint>(_: T.Type) -> T {
        let tag = byte()
        let table: [T] = [
            0, -0.0, 1, -1, 0.5, 3, -2.25, 1e-3, 1e30, -1e30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, .infinity, .nan,
        ]
        switch tag {
        case 0..<160: return T(Double(Int(tag) - 80) / 16)
        case 160..<240: return table[Int(tag - 160) % table.count]
        default:
            let bits = word()
            if T.self == Float.self { return T(Float(bitPattern: UInt32(truncatingIfNeeded: bits))) }
            return T(Double(bitPattern: bits))
        }
    }

    /// `count` reals (capped by what the input holds: an array the shape
    /// does not match is the size check's to reject).
    mutating func reals<T: BinaryFloatingPoint>(_ count: Int, _: T.Type, cap: Int = 4096) -> [T] {
        let n = max(0, min(count, cap))
        return (0..<n).map { _ in real(T.self) }
    }
}

/// One fuzzed forward and its outputs.
enum APICall<T: SoftSortScalar> {
    static func run(_ bytes: inout FuzzBytes, workspace shared: Workspace<T>) {
        let choice = bytes.byte()
        let powers: [Double] = [1, 2, 1.5, 0.5]
        let power: Double = choice & 0x40 != 0 ? Double(bytes.real(Float.self)) : powers[Int(choice >> 2) % 4]
        var temperature = [1, 0.1, 10, 1e-3, 1e3, 1e-30, 1e30][Int(bytes.byte()) % 7]
        if bytes.byte() == 255 { temperature = bytes.real(Double.self) }
        let threads: Int? = bytes.byte() % 3 == 0 ? nil : bytes.integer(small: 4)
        let direction: SortDirection = bytes.byte() & 1 == 0 ? .descending : .ascending
        let paths: [SoftSortPath] = [
            .automatic, .dense, .fused, .exact, .gauss, .window(.ranks(bytes.integer(small: 4))),
            .window(.tolerance(Double(bytes.real(Float.self)))),
        ]
        let path = paths[Int(bytes.byte()) % paths.count]
        var perturbation: GumbelPerturbation?
        if bytes.byte() % 4 == 0 {
            perturbation = GumbelPerturbation(
                samplesPerRow: bytes.integer(small: 3), scoreKind: bytes.byte() & 1 == 0 ? .logScores : .positive,
                seed: UInt64(bytes.byte()))
        }
        let op: any RelaxedSortOperator = choice & 1 == 0
            ? SoftSort(temperature: temperature, power: power, direction: direction, threads: threads,
                       perturbation: perturbation)
            : NeuralSort(temperature: temperature, direction: direction, threads: threads)
        let batch = bytes.integer(small: 4), count = bytes.integer(small: 12)
        let (elements, overflow) = batch.multipliedReportingOverflow(by: count)
        let scores: [T] = bytes.reals(overflow ? Int(bytes.byte()) : elements, T.self)
        let workspace: Workspace<T>? = bytes.byte() & 1 == 0 ? shared : nil
        // Valid but slow: drawing between 2^20 and 2^36 perturbed scores (they
        // may fit in memory). Smaller runs, larger is a typed error at once.
        if let samples = perturbation?.samplesPerRow, choice & 1 == 0 {
            let (rows, o1) = max(batch, 0).multipliedReportingOverflow(by: max(samples, 0))
            let (drawn, o2) = rows.multipliedReportingOverflow(by: max(count, 1))
            if !o1, !o2, drawn > 1 << 20, drawn <= 1 << 36 { return }
        }
        // p < 1: d|x|^p/dx = p |x|^(p - 1) is unbounded near ties; NaN is
        // checked where it stays below T's largest / 1e26 (then its products
        // with the upstream gradient, the values, 1 / tau and n d stay in range).
        let derivativeLimit = Double(T.greatestFiniteMagnitude) / 1e26
        Describe.ordinaryForward = temperature >= 1e-3
            && (choice & 1 == 1 || power >= 1 || Self.derivativeBound(scores, count: count, power: power) <= derivativeLimit)
            && scores.allSatisfy { $0.magnitude <= 1e6 }
        // |d'(x)| is bounded (p >= 1 on these scores, NeuralSort): products
        // and the kNN loss scale large values and gradients.
        Describe.boundedDerivative = choice & 1 == 1 || power >= 1
        Describe.current = "\(op) path \(path) batch \(batch) count \(count) scores \(scores)"
        let result: RelaxedPermutation<T>
        do {
            result = try op.forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
        } catch {
            return
        }
        // The forward accepted the shape: B n scores, and its rows are what the outputs see.
        check(result.scores.count == result.batch * result.count, "scores of the forward")
        // Outputs are O(B) at least, also over empty rows: the fuzzer runs them
        // on at most 2^16 rows (a batch of 2^40 empty rows is the memory
        // check's, and is valid, only slow).
        guard result.batch <= 1 << 16 else { return }
        // The perturbation is SoftSort's option (NeuralSort has none).
        let samples = choice & 1 == 0 ? perturbation?.samplesPerRow ?? 1 : 1
        let callerBatch = result.batch / max(samples, 1)
        var calls = 0
        while !bytes.isEmpty && calls < 6 {
            calls += 1
            output(result, callerBatch: callerBatch, &bytes)
        }
    }

    /// One output and its backward.
    static func output(_ r: RelaxedPermutation<T>, callerBatch: Int, _ bytes: inout FuzzBytes) {
        let b = r.batch, n = r.count, m = b * n, caller = callerBatch * n
        let d = bytes.integer(small: 3)
        let k = bytes.integer(small: 6)
        let (valueCount, overflow) = m.multipliedReportingOverflow(by: max(d, 0))
        // Values of moderate size: a convex combination of values near
        // T.greatestFiniteMagnitude may round past it.
        let values: [T] = bytes.reals(overflow ? 0 : valueCount, T.self).map { $0.magnitude > 1e30 ? 1 : $0 }
        Describe.ordinaryValues = values.allSatisfy { $0.magnitude <= 1e6 }
        // Products scale V and G by powers of two: NaN is checked up to 1e30
        // where |d'(x)| is bounded.
        let productValues = values.allSatisfy { $0.magnitude <= (Describe.boundedDerivative ? 1e30 : 1e6) }
        do {
            switch bytes.byte() % 13 {
            case 0:
                check(r.permutation.count == m, "permutation")
            case 1, 2:
                let p = try r.matrices(bytes.byte() & 1 == 0 ? .soft : .straightThrough)
                finite(p.values, m * n, "P")
                scoreGradient(try p.backward(gradient(m * n, &bytes)), caller, "dL/dP")
            case 3:
                let rows = try r.sparseRows(rows: k)
                finite(rows.values, rows.values.count, "sparse rows")
                scoreGradient(try rows.backward(gradient(rows.values.count, &bytes)), caller, "sparse rows")
            case 4, 5, 6:
                let product: RelaxedProduct<T>
                switch bytes.byte() % 3 {
                case 0: product = try r.apply(to: values, dimension: d)
                case 1: product = try r.applyTransposed(to: values, dimension: d)
                default: product = try r.topK(k, of: values, dimension: d)
                }
                finite(product.values, product.batch * product.rows * d, "product")
                let g = try product.backward(
                    gradient(product.values.count, &bytes, bound: Describe.boundedDerivative ? 1e30 : 1e6))
                Describe.ordinaryValues = productValues
                scoreGradient(g.scores, caller, "product dL/ds")
                noNaN(g.values, valueCount, "product dL/dV")
            case 7:
                let levels = (0..<Int(bytes.byte() % 4)).map { _ in Double(bytes.real(Float.self)) }
                let product = try r.quantiles(levels, of: values, dimension: d)
                finite(product.values, b * levels.count * d, "quantiles")
            case 8:
                let v = try r.sortedValues()
                finite(v.values, m, "sorted values")
                scoreGradient(try v.backward(gradient(m, &bytes)), caller, "sorted values")
            case 9:
                let v = try r.ranks()
                finite(v.values, m, "ranks")
                scoreGradient(try v.backward(gradient(m, &bytes)), caller, "ranks")
            case 10:
                let targets = (0..<max(0, min(caller, 4096))).map { _ in bytes.integer(small: max(n - 1, 0)) }
                let loss = try r.crossEntropy(targets: targets)
                if Describe.ordinaryForward { noNaN([loss.value], 1, "cross-entropy") }
                Describe.ordinaryValues = true
                Describe.ordinaryGradient = true
                scoreGradient(loss.gradient, caller, "cross-entropy")
            case 11:
                // Any finite matches where |d'(x)| is bounded: the loss scales them by a power of two.
                let matches: [T] = bytes.reals(caller, T.self)
                let loss = try r.nearestNeighborLoss(matches: matches, k: k)
                Describe.ordinaryValues = Describe.boundedDerivative || matches.allSatisfy { $0.magnitude <= 1e6 }
                Describe.ordinaryGradient = true
                if Describe.ordinaryForward { noNaN([loss.value], 1, "kNN") }
                scoreGradient(loss.gradient, caller, "kNN")
            default:
                finite(try r.logNormalizers(), m, "log Z")
            }
        } catch {
            // Every throw is a SoftSortError (typed throws): the allowed answer.
        }
    }

    /// An upstream gradient: the right length mostly, finite mostly; NaN is
    /// checked downstream where every entry is within `bound`.
    static func gradient(_ count: Int, _ bytes: inout FuzzBytes, bound: T = 1e6) -> [T] {
        let tag = bytes.byte()
        let length = tag == 255 ? count + 1 : count
        let g = bytes.reals(length, T.self, cap: 1 << 16).map { tag == 254 || $0.magnitude <= 1e30 ? $0 : 1 }
        Describe.ordinaryGradient = g.allSatisfy { $0.magnitude <= bound }
        return g
    }

    /// `p d^(p - 1)`, `d` the smallest nonzero gap between two scores of a
    /// row: the largest `|d'(x)|` for `p < 1` (in `Double`, by logarithms).
    static func derivativeBound(_ scores: [T], count: Int, power p: Double) -> Double {
        guard p > 0, p < 1, count > 1, scores.count % count == 0 else { return 0 }
        var gap = Double.infinity
        for row in stride(from: 0, to: scores.count, by: count) {
            let sorted = scores[row ..< row + count].map { Double($0) }.sorted()
            for (a, b) in zip(sorted, sorted.dropFirst()) where b > a { gap = min(gap, b - a) }
        }
        guard gap.isFinite else { return 0 }
        return exp(log(p) + (p - 1) * log(gap))
    }

    static func finite(_ values: [T], _ count: Int, _ what: String) {
        check(values.count == count, "\(what): \(values.count) elements, expected \(count)")
        check(values.allSatisfy(\.isFinite), "\(what): not finite")
    }

    /// A score gradient: its length always; no NaN where no intermediate can
    /// leave the type's range: tau >= 1e-3; p >= 1, or p < 1 with
    /// `p d^(p - 1) <= T.greatestFiniteMagnitude / 1e26` at the rows'
    /// smallest nonzero gap `d`; scores
    /// within 1e6; values and the upstream gradient within 1e6 (for p >= 1
    /// and NeuralSort: 1e30 for products, which scale them, and any finite
    /// matches for the kNN loss, which scales them).
    /// Not flagged: beyond that, products such as `G V / tau` may overflow
    /// before they cancel and give NaN (an infinite entry meeting its opposite
    /// in the sort's backward).
    static func scoreGradient(_ values: [T], _ count: Int, _ what: String) {
        check(values.count == count, "\(what): \(values.count) elements, expected \(count)")
        guard Describe.ordinaryForward, Describe.ordinaryValues, Describe.ordinaryGradient else { return }
        check(!values.contains { $0.isNaN }, "\(what): NaN")
    }

    static func noNaN(_ values: [T], _ count: Int, _ what: String) {
        check(values.count == count, "\(what): \(values.count) elements, expected \(count)")
        check(!values.contains { $0.isNaN }, "\(what): NaN")
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        let text = "SoftSortKitFuzz: \(T.self): \(message())\n  call: \(Describe.current)\n"
        text.withCString { _ = write(2, $0, strlen($0)) }
        abort()
    }
}

/// The current input's forward, for the failure message.
enum Describe {
    nonisolated(unsafe) static var current = ""
    /// Whether the current input is in the domain where NaN is checked.
    nonisolated(unsafe) static var ordinaryForward = true
    nonisolated(unsafe) static var ordinaryValues = true
    nonisolated(unsafe) static var ordinaryGradient = true
    /// Whether `|d'(x)| = p |x|^(p - 1)` is bounded on the current scores.
    nonisolated(unsafe) static var boundedDerivative = true
}
