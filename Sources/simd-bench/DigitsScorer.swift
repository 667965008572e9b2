import Foundation

/// The scorer of `simd-bench digits`: one score per 8 x 32 large-number image.
///
/// `slots` (the default), a small CNN whose digit windows end in a softmax
/// over 16 channels (a soft latent class per digit, learnt from the
/// permutations alone):
///
///     Conv[8 x 8 kernel, stride 8, 64 channels, ReLU]   8 x 32 -> 1 x 4 x 64 (one window per digit)
///     Conv[1 x 1, 64 channels, ReLU]                    1 x 4 x 64 -> 1 x 4 x 64
///     Conv[1 x 1, 16 channels, softmax over channels]   1 x 4 x 64 -> 1 x 4 x 16
///     FC[64 units, ReLU]                                64 -> 64
///     FC[1 unit]                                        64 -> 1
///
/// `slots-relu`: the same without the softmax layer (FC 256 -> 64 on the
/// ReLU features). `mlp`: FC[256 -> 128, ReLU], FC[128 -> 64, ReLU],
/// FC[64 -> 1] on the raw pixels. `--width` sets the per-digit layers' 64.
/// `Float`, one thread, its own backward (`DigitsLayers`), Adam.
final class DigitsScorer {
    enum Architecture: String, CaseIterable, Sendable {
        case slots, slotsReLU = "slots-relu", mlp
    }

    enum Activation { case none, relu, softmax }

    /// One dense layer: `rowsPerImage` rows of `inputs` per image (4 for
    /// the per-slot layers, whose weights every slot shares: a convolution).
    struct Layer {
        var inputs: Int
        var outputs: Int
        var rowsPerImage: Int
        var activation: Activation
        var weights: Int  // offset of the `inputs x outputs` weights; the biases follow
    }

    let architecture: Architecture
    private(set) var layers: [Layer] = []
    private(set) var parameters: [Float] = []
    private var gradient: [Float] = []
    private var firstMoment: [Float] = []
    private var secondMoment: [Float] = []
    private var adamSteps = 0

    // The last forward: its image count and every layer's input (activations[0]) and output.
    private var rows = 0
    private var activations: [[Float]] = []

    init(architecture: Architecture, width w: Int = 64, generator: inout SplitMix) {
        self.architecture = architecture
        let shapes: [(Int, Int, Int, Activation)] = switch architecture {
        case .slots: [(64, w, 4, .relu), (w, w, 4, .relu), (w, 16, 4, .softmax), (64, 64, 1, .relu), (64, 1, 1, .none)]
        case .slotsReLU: [(64, w, 4, .relu), (w, w, 4, .relu), (4 * w, 64, 1, .relu), (64, 1, 1, .none)]
        case .mlp: [(256, 2 * w, 1, .relu), (2 * w, 64, 1, .relu), (64, 1, 1, .none)]
        }
        var offset = 0
        for (inputs, outputs, rowsPerImage, activation) in shapes {
            layers.append(Layer(inputs: inputs, outputs: outputs, rowsPerImage: rowsPerImage, activation: activation, weights: offset))
            offset += inputs * outputs + outputs
        }
        parameters = [Float](repeating: 0, count: offset)
        // He initialisation (normal, std sqrt(2 / fan-in)), biases 0.
        for layer in layers {
            let std = (2 / Double(layer.inputs)).squareRoot()
            for k in 0..<layer.inputs * layer.outputs {
                parameters[layer.weights + k] = Float(std * Self.normal(&generator))
            }
        }
        gradient = [Float](repeating: 0, count: offset)
        firstMoment = gradient
        secondMoment = gradient
    }

    var parameterCount: Int { parameters.count }

    /// A standard normal sample (Box-Muller).
    static func normal(_ generator: inout SplitMix) -> Double {
        let u = max(generator.nextUnit(), 0x1p-60), v = generator.nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// The scores of `count` images (`count x 256` pixels, 8 x 32 row-major);
    /// keeps the activations for `backward(_:)`.
    func scores(_ images: [Float], count: Int) -> [Float] {
        rows = count
        var input: [Float]
        if architecture != .mlp {
            // im2col for the stride-8 8 x 8 convolution: window k of image r is its digit slot k.
            input = [Float](repeating: 0, count: count * 256)
            for r in 0..<count {
                for k in 0..<4 {
                    for pr in 0..<8 {
                        for pc in 0..<8 { input[(r * 4 + k) * 64 + pr * 8 + pc] = images[r * 256 + pr * 32 + k * 8 + pc] }
                    }
                }
            }
        } else {
            input = images
        }
        activations = [input]
        for layer in layers {
            let layerRows = count * layer.rowsPerImage
            var output = [Float](repeating: 0, count: layerRows * layer.outputs)
            parameters.withUnsafeBufferPointer { p in
                activations[activations.count - 1].withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        DigitsLayers.forward(
                            x.baseAddress!, rows: layerRows, inputs: layer.inputs, p.baseAddress! + layer.weights,
                            p.baseAddress! + layer.weights + layer.inputs * layer.outputs, outputs: layer.outputs,
                            y.baseAddress!, relu: layer.activation == .relu)
                    }
                }
            }
            if layer.activation == .softmax { Self.softmax(&output, width: layer.outputs) }
            activations.append(output)
        }
        return activations[activations.count - 1]
    }

    /// Sets the parameter gradient from `dL/dscores` of the last `scores(_:count:)`.
    func backward(_ scoreGradient: [Float]) {
        precondition(scoreGradient.count == rows)
        for k in gradient.indices { gradient[k] = 0 }
        var upstream = scoreGradient
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let layerRows = rows * layer.rowsPerImage
            var downstream = [Float](repeating: 0, count: index == 0 ? 0 : layerRows * layer.inputs)
            if layer.activation == .softmax {
                // dL/dz = y (dL/dy - <dL/dy, y>) per row.
                let y = activations[index + 1], k = layer.outputs
                for r in 0..<layerRows {
                    var inner: Float = 0
                    for o in 0..<k { inner += upstream[r * k + o] * y[r * k + o] }
                    for o in 0..<k { upstream[r * k + o] = y[r * k + o] * (upstream[r * k + o] - inner) }
                }
            }
            parameters.withUnsafeBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    activations[index].withUnsafeBufferPointer { x in
                        activations[index + 1].withUnsafeBufferPointer { y in
                            upstream.withUnsafeMutableBufferPointer { dy in
                                downstream.withUnsafeMutableBufferPointer { dx in
                                    DigitsLayers.backward(
                                        x.baseAddress!, rows: layerRows, inputs: layer.inputs, p.baseAddress! + layer.weights,
                                        outputs: layer.outputs, y.baseAddress!, relu: layer.activation == .relu, dy.baseAddress!,
                                        g.baseAddress! + layer.weights,
                                        g.baseAddress! + layer.weights + layer.inputs * layer.outputs,
                                        index == 0 ? nil : dx.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
            upstream = downstream
        }
    }

    /// Row-wise max-subtracted softmax of `rows x width` values, in place.
    static func softmax(_ x: inout [Float], width: Int) {
        for start in stride(from: 0, to: x.count, by: width) {
            var m = -Float.infinity
            for o in 0..<width { m = max(m, x[start + o]) }
            var total: Float = 0
            for o in 0..<width {
                x[start + o] = Float(exp(Double(x[start + o] - m)))
                total += x[start + o]
            }
            for o in 0..<width { x[start + o] /= total }
        }
    }

    /// One Adam step (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected),
    /// with decoupled weight decay (AdamW) when `weightDecay > 0`.
    func adamStep(learningRate: Double, weightDecay: Double = 0) {
        adamSteps += 1
        let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
        let correction1 = 1 - pow(0.9, Double(adamSteps)), correction2 = 1 - pow(0.999, Double(adamSteps))
        let step = Float(learningRate * correction2.squareRoot() / correction1)
        let decay = Float(1 - learningRate * weightDecay)
        for k in parameters.indices {
            parameters[k] *= decay
            let g = gradient[k]
            firstMoment[k] = beta1 * firstMoment[k] + (1 - beta1) * g
            secondMoment[k] = beta2 * secondMoment[k] + (1 - beta2) * g * g
            parameters[k] -= step * firstMoment[k] / (secondMoment[k].squareRoot() + epsilon)
        }
    }
}
