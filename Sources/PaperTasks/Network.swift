import Foundation

/// The small networks of the three tasks: dense layers in `Float`, one
/// thread, their own backward (`DenseLayers`) and Adam.
///
/// `slots(numbers:width:outputs:)`, the scorer and value regressor of the
/// large numbers (8 x 32 images, four 8 x 8 digits side by side); an input
/// sample is `numbers` large numbers one after another:
///
///     Conv[8 x 8 kernel, stride 8, w channels, ReLU]   one window per digit, 4 m windows
///     Conv[1 x 1, w channels, ReLU]
///     Conv[1 x 1, 16 channels, softmax over channels]  a soft latent class per digit
///     FC[64 units, ReLU]                               on the 4 m x 16 slot classes
///     FC[outputs]
///
/// `perceptron(inputs:hidden:outputs:)`: FC layers with ReLU between them on
/// the raw pixels (the kNN embedding and the plain classifier).
package final class Network {
    package enum Activation: Sendable { case none, relu, softmax }

    /// One dense layer: `rowsPerSample` rows of `inputs` per sample (4 m for
    /// the per-digit layers, whose weights every window shares: a convolution).
    package struct Layer: Sendable {
        var inputs: Int
        var outputs: Int
        var rowsPerSample: Int
        var activation: Activation
        var weights: Int  // offset of the `inputs x outputs` weights; the biases follow
    }

    /// Large numbers per sample when the input is cut into 8 x 8 digit windows, else `nil`.
    package let numbersPerSample: Int?
    package private(set) var layers: [Layer] = []
    /// Every weight and bias, layer after layer.
    package var parameters: [Float] = []
    package private(set) var gradient: [Float] = []
    private var firstMoment: [Float] = []
    private var secondMoment: [Float] = []
    private var adamSteps = 0

    // The last forward: its sample count and every layer's input (activations[0]) and output.
    private var rows = 0
    private var activations: [[Float]] = []

    /// The slot scorer of `numbers` large numbers per sample.
    package static func slots(numbers: Int = 1, width w: Int = 64, outputs: Int = 1, generator: inout SplitMix) -> Network {
        let windows = 4 * numbers
        return Network(
            shapes: [
                (64, w, windows, .relu), (w, w, windows, .relu), (w, 16, windows, .softmax), (16 * windows, 64, 1, .relu),
                (64, outputs, 1, .none),
            ], numbersPerSample: numbers, generator: &generator)
    }

    /// A perceptron on raw inputs: ReLU after every hidden layer, none after the last.
    package static func perceptron(inputs: Int, hidden: [Int], outputs: Int, generator: inout SplitMix) -> Network {
        var shapes: [(Int, Int, Int, Activation)] = []
        var previous = inputs
        for width in hidden {
            shapes.append((previous, width, 1, .relu))
            previous = width
        }
        shapes.append((previous, outputs, 1, .none))
        return Network(shapes: shapes, numbersPerSample: nil, generator: &generator)
    }

    private init(shapes: [(Int, Int, Int, Activation)], numbersPerSample: Int?, generator: inout SplitMix) {
        self.numbersPerSample = numbersPerSample
        var offset = 0
        for (inputs, outputs, rowsPerSample, activation) in shapes {
            layers.append(Layer(inputs: inputs, outputs: outputs, rowsPerSample: rowsPerSample, activation: activation, weights: offset))
            offset += inputs * outputs + outputs
        }
        parameters = [Float](repeating: 0, count: offset)
        // He initialisation (normal, std sqrt(2 / fan-in)), biases 0.
        for layer in layers {
            let std = (2 / Double(layer.inputs)).squareRoot()
            for k in 0..<layer.inputs * layer.outputs {
                parameters[layer.weights + k] = Float(std * generator.normal())
            }
        }
        gradient = [Float](repeating: 0, count: offset)
        firstMoment = gradient
        secondMoment = gradient
    }

    /// Floats of one input sample.
    package var inputWidth: Int { numbersPerSample.map { $0 * 256 } ?? layers[0].inputs }
    /// Floats of one output row.
    package var outputWidth: Int { layers[layers.count - 1].outputs }

    /// The outputs of `count` samples (`count x inputWidth`, row-major),
    /// `count x outputWidth`; keeps the activations for `backward(_:)`.
    package func forward(_ input: [Float], count: Int) -> [Float] {
        precondition(input.count == count * inputWidth, "expected \(count) samples of \(inputWidth) floats")
        rows = count
        var first = input
        if let numbers = numbersPerSample {
            // im2col for the stride-8 8 x 8 convolution: window k of number q is its digit k.
            first = [Float](repeating: 0, count: count * numbers * 256)
            for q in 0..<count * numbers {
                for k in 0..<4 {
                    for pr in 0..<8 {
                        for pc in 0..<8 { first[(q * 4 + k) * 64 + pr * 8 + pc] = input[q * 256 + pr * 32 + k * 8 + pc] }
                    }
                }
            }
        }
        activations = [first]
        for layer in layers {
            let layerRows = count * layer.rowsPerSample
            var output = [Float](repeating: 0, count: layerRows * layer.outputs)
            parameters.withUnsafeBufferPointer { p in
                activations[activations.count - 1].withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        DenseLayers.forward(
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

    /// The outputs of many samples in chunks of `chunk` (for evaluation; the
    /// activations kept are the last chunk's).
    package func outputs(_ input: [Float], count: Int, chunk: Int = 256) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(count * outputWidth)
        var first = 0
        while first < count {
            let rows = min(chunk, count - first)
            result += forward(Array(input[first * inputWidth ..< (first + rows) * inputWidth]), count: rows)
            first += rows
        }
        return result
    }

    /// Sets `gradient` to `dL/dparameters` from `dL/doutputs` of the last
    /// `forward(_:count:)` (`count x outputWidth`).
    package func backward(_ outputGradient: [Float]) {
        precondition(outputGradient.count == rows * outputWidth)
        for k in gradient.indices { gradient[k] = 0 }
        var upstream = outputGradient
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let layerRows = rows * layer.rowsPerSample
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
                                    DenseLayers.backward(
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

    /// One Adam step on `gradient` (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected).
    package func adamStep(learningRate: Double) {
        adamSteps += 1
        let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
        let correction1 = 1 - pow(0.9, Double(adamSteps)), correction2 = 1 - pow(0.999, Double(adamSteps))
        let step = Float(learningRate * correction2.squareRoot() / correction1)
        for k in parameters.indices {
            let g = gradient[k]
            firstMoment[k] = beta1 * firstMoment[k] + (1 - beta1) * g
            secondMoment[k] = beta2 * secondMoment[k] + (1 - beta2) * g * g
            parameters[k] -= step * firstMoment[k] / (secondMoment[k].squareRoot() + epsilon)
        }
    }
}
