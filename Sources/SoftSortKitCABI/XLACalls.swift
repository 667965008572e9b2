import SoftSortKit

/// The bodies of the XLA FFI handlers (XLAExports.swift): each reads its
/// buffers from the frame, checks their types and element counts against the
/// scores' shape `(..., n)` (the leading dimensions flattened into the
/// batch, so a `vmap`ped call is one batched call), and runs the generic body
/// of the C ABI function of the same output on the buffers in place.
/// Attributes: the options (`XLAFrame.options`), `k` (top-k and the kNN
/// loss), `levels` (quantiles, a float64 array).
enum XLACalls {
    /// An output with a forward and a backward handler.
    enum Output {
        case matrices, sortedValues, ranks, apply, applyTransposed, topK, quantiles
    }

    /// A loss handler.
    enum Loss {
        case crossEntropy, nearestNeighbors
    }

    /// The forward of `output`: arguments `(scores)` or `(scores, values)`, result `(output)`.
    static func forward(_ output: Output, _ frame: XLAFrame) throws {
        try typed(frame, Forward(output: output))
    }

    /// The backward of `output`: arguments `(scores, grad_output)` or `(scores, values,
    /// grad_output)`, results `(grad_scores)` or `(grad_scores, grad_values)`.
    static func backward(_ output: Output, _ frame: XLAFrame) throws {
        try typed(frame, Backward(output: output))
    }

    /// A loss: arguments `(scores, targets)` (int32 or int64) or `(scores, matches)`; results
    /// `(loss)` or `(loss, grad_scores)`. The loss result has `m` elements: the batch's rows
    /// are cut into `m` consecutive groups of equal size and `loss[g]` is the C ABI's loss
    /// of group `g` (one call per group), `grad_scores` its gradient for an upstream 1.
    static func loss(_ loss: Loss, _ frame: XLAFrame) throws {
        try typed(frame, LossBody(loss: loss))
    }

    // ---- Shapes and the element type ---------------------------------------

    /// The scores' batch and count, and the options as the C struct.
    struct Call {
        let frame: XLAFrame
        let batch: Int64
        let count: Int64
        let options: UnsafeRawPointer
    }

    /// A body generic over the element type.
    protocol Body {
        func run<T: ABIScalar>(_ call: Call, _ type: T.Type) throws
    }

    private static func typed(_ frame: XLAFrame, _ body: some Body) throws {
        guard let scores = frame.arguments.first, !scores.dimensions.isEmpty else {
            throw Failure.unexpected("scores must have at least one dimension")
        }
        let count = scores.dimensions.last!
        let batch = scores.dimensions.dropLast().reduce(Int64(1), *)
        let options = try frame.options()
        try withUnsafeTemporaryAllocation(byteCount: 48, alignment: 8) { storage in
            options.write(to: storage.baseAddress!)
            let call = Call(frame: frame, batch: batch, count: count, options: UnsafeRawPointer(storage.baseAddress!))
            switch scores.type {
            case XLAFrame.DataType.f32: try body.run(call, Float.self)
            case XLAFrame.DataType.f64: try body.run(call, Double.self)
            default: throw Failure.unexpected("scores must be float32 or float64")
            }
        }
    }

    /// The buffer `list[index]`, checked: element type `T` and `elements` elements.
    static func buffer<T: ABIScalar>(
        _ list: [XLAFrame.Buffer], _ index: Int, _ name: String, _ elements: Int64, _: T.Type
    ) throws -> UnsafeMutablePointer<T>? {
        guard index < list.count else { throw Failure.unexpected("the call has no \(name)") }
        let buffer = list[index]
        let type = T.self == Float.self ? XLAFrame.DataType.f32 : XLAFrame.DataType.f64
        guard buffer.type == type else { throw Failure.unexpected("\(name) must have the scores' element type") }
        guard buffer.elements == Int(elements) else {
            throw Failure.unexpected("\(name) has \(buffer.elements) elements, expected \(elements)")
        }
        return buffer.pointer(T.self)
    }

    /// Throws the library's message when `code` is not `SOFTSORTKIT_OK`.
    static func check(_ code: Int32) throws {
        guard code == 0 else { throw Failure.unexpected(String(cString: LastError.current)) }
    }

    /// `d` of values `(..., n, d)`, the rows a product writes, and its extra row selection.
    private static func product<T: ABIScalar>(
        _ output: Output, _ call: Call, _: T.Type
    ) throws -> (dimension: Int64, rows: Int64, selection: ProductCalls<T>.Rows) {
        guard call.frame.arguments.count > 1, let d = call.frame.arguments[1].dimensions.last,
            call.frame.arguments[1].dimensions.count == call.frame.arguments[0].dimensions.count + 1
        else { throw Failure.unexpected("values must have shape (..., n, d)") }
        switch output {
        case .apply: return (d, call.count, .all)
        case .applyTransposed: return (d, call.count, .transposed)
        case .topK:
            let k = try call.frame.integer("k")
            return (d, max(k, 0), .topK(k))
        case .quantiles:
            let (levels, count) = try call.frame.doubles("levels")
            return (d, count, .quantiles(levels, count))
        case .matrices, .sortedValues, .ranks: throw Failure.unexpected("not a product")
        }
    }

    private struct Forward: Body {
        let output: Output

        func run<T: ABIScalar>(_ call: Call, _ type: T.Type) throws {
            let (b, n, options, frame) = (call.batch, call.count, call.options, call.frame)
            let scores = try buffer(frame.arguments, 0, "scores", b * n, T.self)
            switch output {
            case .matrices:
                let out = try buffer(frame.results, 0, "matrices", b * n * n, T.self)
                try check(MatricesCalls<T>.forward(options, scores, b, n, out, nil))
            case .sortedValues, .ranks:
                let out = try buffer(frame.results, 0, "output", b * n, T.self)
                try check(ValuesCalls<T>.forward(output == .ranks ? .ranks : .sortedValues, options, scores, b, n, out, nil))
            case .apply, .applyTransposed, .topK, .quantiles:
                let (d, rows, selection) = try product(output, call, T.self)
                let values = try buffer(frame.arguments, 1, "values", b * n * d, T.self)
                let out = try buffer(frame.results, 0, "output", b * rows * d, T.self)
                try check(ProductCalls<T>.forward(selection, options, scores, b, n, values, d, out, nil))
            }
        }
    }

    private struct Backward: Body {
        let output: Output

        func run<T: ABIScalar>(_ call: Call, _ type: T.Type) throws {
            let (b, n, options, frame) = (call.batch, call.count, call.options, call.frame)
            let scores = try buffer(frame.arguments, 0, "scores", b * n, T.self)
            let gradScores = try buffer(frame.results, 0, "grad_scores", b * n, T.self)
            switch output {
            case .matrices:
                let upstream = try buffer(frame.arguments, 1, "grad_matrices", b * n * n, T.self)
                try check(MatricesCalls<T>.backward(options, scores, b, n, upstream, gradScores, nil))
            case .sortedValues, .ranks:
                let upstream = try buffer(frame.arguments, 1, "grad_output", b * n, T.self)
                try check(
                    ValuesCalls<T>.backward(
                        output == .ranks ? .ranks : .sortedValues, options, scores, b, n, upstream, gradScores, nil))
            case .apply, .applyTransposed, .topK, .quantiles:
                let (d, rows, selection) = try product(output, call, T.self)
                let values = try buffer(frame.arguments, 1, "values", b * n * d, T.self)
                let upstream = try buffer(frame.arguments, 2, "grad_output", b * rows * d, T.self)
                let gradValues = try buffer(frame.results, 1, "grad_values", b * n * d, T.self)
                try check(
                    ProductCalls<T>.backward(
                        selection, options, scores, b, n, values, d, upstream, gradScores, gradValues, nil))
            }
        }
    }

    private struct LossBody: Body {
        let loss: Loss

        func run<T: ABIScalar>(_ call: Call, _ type: T.Type) throws {
            let (b, n, options, frame) = (call.batch, call.count, call.options, call.frame)
            let scores = try buffer(frame.arguments, 0, "scores", b * n, T.self)
            guard let groups = frame.results.first?.elements, groups >= 1 || b == 0,
                groups == 0 || b % Int64(groups) == 0
            else { throw Failure.unexpected("the loss must have one element per group of rows") }
            guard groups > 0 else { return }  // no lists, one loss per list
            let size = b / Int64(groups), rows = Int(size * n)
            let losses = try buffer(frame.results, 0, "loss", Int64(groups), T.self)!
            let gradients = frame.results.count > 1 ? try buffer(frame.results, 1, "grad_scores", b * n, T.self) : nil
            switch loss {
            case .crossEntropy:
                guard frame.arguments.count > 1, frame.arguments[1].elements == Int(b * n) else {
                    throw Failure.unexpected("targets must have the scores' shape")
                }
                let targets = frame.arguments[1]
                var widened: [Int64] = []
                switch targets.type {
                case XLAFrame.DataType.s64: break
                case XLAFrame.DataType.s32:
                    let narrow = UnsafeBufferPointer(start: targets.pointer(Int32.self), count: targets.elements)
                    widened = narrow.map { Int64($0) }
                default: throw Failure.unexpected("targets must be int32 or int64")
                }
                try widened.withUnsafeBufferPointer { wide in
                    let columns = targets.type == XLAFrame.DataType.s64 ? UnsafePointer(targets.pointer(Int64.self)) : wide.baseAddress
                    for g in 0..<groups {
                        try check(
                            LossCalls<T>.crossEntropy(
                                options, scores.map { $0 + g * rows }, size, n, columns.map { $0 + g * rows },
                                losses + g, gradients.map { $0 + g * rows }, nil))
                    }
                }
            case .nearestNeighbors:
                let matches = try buffer(frame.arguments, 1, "matches", b * n, T.self)
                let k = try frame.integer("k")
                for g in 0..<groups {
                    try check(
                        LossCalls<T>.nearestNeighbors(
                            options, scores.map { $0 + g * rows }, size, n, matches.map { UnsafePointer($0 + g * rows) },
                            k, losses + g, gradients.map { $0 + g * rows }, nil))
                }
            }
        }
    }
}
