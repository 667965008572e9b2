import Dispatch
import Foundation
import SoftSortKit

/// The operators the speed experiment times, under the names its JSON uses.
enum TrainOperator: String, CaseIterable, Sendable {
    /// SoftSort, p = 2, tau = 0.1: the operator the paper timed.
    case softSortP2 = "softsort-p2"
    /// The same loss on the fused path (`crossEntropy(targets:)` on path `.fused`):
    /// one row of `P` at a time, no `n x n` matrix.
    case softSortP2Fused = "softsort-p2-fused"
    /// SoftSort, p = 1 (the paper's default distance), dense `B x n x n` path.
    case softSortP1 = "softsort-p1"
    /// SoftSort, p = 1, on the fused path.
    case softSortP1Fused = "softsort-p1-fused"
    /// SoftSort, p = 1, the exact `O(n log n)` scan path (path `.exact`):
    /// no `n x n` matrix, the loss and its gradient from `crossEntropy(targets:)`.
    case softSortP1Exact = "softsort-p1-exact"
    /// SoftSort, p = 2, through the fast Gauss transform
    /// (`crossEntropy(targets:)` on path `.gauss` with a reused workspace, no `n x n` matrix).
    case softSortP2Gauss = "softsort-p2-gauss"
    /// NeuralSort, tau = 100, with the `O(n^2)` association `(A 1) 1^T`.
    case neuralSort = "neuralsort"
    /// NeuralSort on the fused path (`crossEntropy(targets:)` on path `.fused`).
    case neuralSortFused = "neuralsort-fused"

    /// Whether the loss and its gradient come straight from a loss call
    /// (exact and fused paths) rather than through a materialised `P`.
    var usesLossCall: Bool {
        switch self {
        case .softSortP1Exact, .softSortP2Fused, .softSortP1Fused, .neuralSortFused, .softSortP2Gauss: return true
        case .softSortP2, .softSortP1, .neuralSort: return false
        }
    }

    /// The materialised operator whose experiment this one repeats (itself
    /// for the dense ones): the same temperature and loss.
    var materialised: TrainOperator {
        switch self {
        case .softSortP2Fused, .softSortP2Gauss: return .softSortP2
        case .softSortP1Fused, .softSortP1Exact: return .softSortP1
        case .neuralSortFused: return .neuralSort
        case .softSortP2, .softSortP1, .neuralSort: return self
        }
    }

    /// `L = sum_(b, i) -log P[b, i, t[b, i]]` and `dL/ds` by the loss call of
    /// an exact or fused operator: its forward on its path, then `crossEntropy(targets:)`.
    func loss(
        _ scores: [Float], targets: [Int], batch: Int, count: Int, temperature: Double, threads: Int,
        workspace: Workspace<Float>?
    ) throws -> Loss<Float> {
        let result: RelaxedPermutation<Float>
        switch self {
        case .softSortP1Exact:
            result = try SoftSort(temperature: temperature, power: 1, threads: threads)
                .forward(scores: scores, batch: batch, count: count, path: .exact, workspace: workspace)
        case .softSortP2Fused, .softSortP1Fused:
            result = try SoftSort(temperature: temperature, power: self == .softSortP2Fused ? 2 : 1, threads: threads)
                .forward(scores: scores, batch: batch, count: count, path: .fused, workspace: workspace)
        case .softSortP2Gauss:
            result = try SoftSort(temperature: temperature, power: 2, threads: threads)
                .forward(scores: scores, batch: batch, count: count, path: .gauss, workspace: workspace)
        case .neuralSortFused:
            result = try NeuralSort(temperature: temperature, threads: threads)
                .forward(scores: scores, batch: batch, count: count, path: .fused, workspace: workspace)
        case .softSortP2, .softSortP1, .neuralSort:
            preconditionFailure("a materialised operator computes its loss through P")
        }
        return try result.crossEntropy(targets: targets)
    }

    /// The temperature each operator runs at unless told otherwise
    /// (README, "The speed experiment").
    var defaultTemperature: Double {
        switch materialised {
        case .neuralSort: return 100
        default: return 0.1
        }
    }

    /// One dense forward over the batch (the matrices `P`), on `threads`
    /// threads, reusing `workspace`'s buffers when given one.
    func forward(
        _ scores: [Float], batch: Int, count: Int, temperature: Double, threads: Int,
        workspace: Workspace<Float>?
    ) throws -> RelaxedMatrices<Float> {
        let result: RelaxedPermutation<Float>
        switch self {
        case .softSortP2:
            result = try SoftSort(temperature: temperature, power: 2, threads: threads)
                .forward(scores: scores, batch: batch, count: count, path: .dense, workspace: workspace)
        case .softSortP1:
            result = try SoftSort(temperature: temperature, power: 1, threads: threads)
                .forward(scores: scores, batch: batch, count: count, path: .dense, workspace: workspace)
        case .neuralSort:
            result = try NeuralSort(temperature: temperature, threads: threads)
                .forward(scores: scores, batch: batch, count: count, path: .dense, workspace: workspace)
        case .softSortP1Exact, .softSortP2Fused, .softSortP1Fused, .neuralSortFused, .softSortP2Gauss:
            preconditionFailure("the exact, fused and gauss paths have no dense forward")
        }
        return try result.matrices()
    }
}

/// The optimiser's settings: SGD with momentum and L2 weight decay, in
/// PyTorch's convention
///
///     g = dL/dw + weightDecay * w;   v = momentum * v + g;   w -= learningRate * v
struct TrainHyperparameters: Sendable {
    var learningRate: Double = 10
    var momentum: Double = 0.5
    var weightDecay: Double = 0.01
}

/// What one (operator, n) run measured.
struct TrainResult: Sendable {
    var op: TrainOperator
    var count: Int
    var batch: Int
    var threads: Int
    /// The library backend that ran, as the result reports it (`simd` for the
    /// exact path's scans, which have no C kernels).
    var backend: String
    var steps: Int
    var temperature: Double
    /// The median wall time of one timed step (forward, loss, backward, update).
    var msPerStep: Double
    /// The loss after the last step (`mean_{b,i} -log P[b, i, i]`).
    var finalLoss: Double
    /// Spearman's rho of each row's parameters against the descending order.
    var spearmanPerRow: [Double]
    /// The loss of every step, warm-up first (before that step's update).
    var lossPerStep: [Double]
    /// The smallest Spearman rho over the rows after every step's update
    /// (computed outside the timed part of the step).
    var spearmanMinimumPerStep: [Double]
    /// The peak resident memory of this run: `VmHWM` of /proc/self/status
    /// after resetting it through /proc/self/clear_refs ("5") at the start of
    /// the run (Linux); `nil` where that cannot be done. It includes the
    /// process's baseline (the Swift runtime, the code, freed heap that the
    /// allocator still holds), so it is an upper bound on what the run needs.
    var peakMemoryBytes: Int?

    /// The smallest rho over the rows: 1 when every row ends sorted.
    var spearmanMinimum: Double { spearmanPerRow.min() ?? 1 }
    /// How many rows end exactly sorted (rho = 1).
    var rowsSorted: Int { spearmanPerRow.count(where: { $0 == 1 }) }
}

/// The paper's synthetic speed experiment (section 5.5, appendix A.4): learn
/// `B` rows of `n` parameters so that each ends sorted descending.
///
/// Each step min-max normalises every row to [0, 1] (min and max held
/// constant), computes `P`, takes `L = mean_{b,i} -log P[b, i, i]` (the target
/// is the identity permutation), backpropagates through the operator and the
/// normalisation, and takes one SGD-with-momentum step.
struct TrainExperiment {
    var batch = 20
    var seed: UInt64 = 2020
    var hyperparameters = TrainHyperparameters()
    /// Each operator's temperature; `TrainOperator.defaultTemperature` when absent.
    var temperatures: [TrainOperator: Double] = [:]
    /// The library's thread count for every forward and backward.
    var threads = Parallelism.defaultThreadCount
    /// Whether each run keeps one `Workspace` for all its steps (a
    /// training loop as the library intends) or allocates fresh buffers.
    var reuseWorkspace = true

    /// Runs 1 warm-up step and `steps` timed steps from the seeded start.
    ///
    /// - Parameter progress: called after every step with the steps done
    ///   (warm-up included) and the total.
    func run(
        _ op: TrainOperator, count n: Int, steps: Int, progress: (Int, Int) -> Void
    ) throws -> TrainResult {
        let size = batch * n
        var generator = SplitMix(seed: seed)
        var parameters = (0..<size).map { _ in Float(generator.nextUnit() * 2 - 1) }
        var velocity = [Float](repeating: 0, count: size)
        // dL/dP is zero except on the diagonals; one buffer serves every step
        // (only the diagonal entries are rewritten).
        var matrixGradient = [Float](repeating: 0, count: op.usesLossCall ? 0 : size * n)
        let targets = (0..<size).map { $0 % n }  // the identity: row i picks column i
        var normalised = [Float](repeating: 0, count: size)
        var range = [Float](repeating: 1, count: batch)
        var samples: [Double] = []
        samples.reserveCapacity(steps)
        var loss = 0.0
        var backend = ""
        let total = steps + 1
        let lr = Float(hyperparameters.learningRate)
        let momentum = Float(hyperparameters.momentum)
        let decay = Float(hyperparameters.weightDecay)
        let scale = 1 / Float(size)
        PeakMemory.reset()
        let temperature = temperatures[op] ?? temperatures[op.materialised] ?? op.defaultTemperature
        let workspace = reuseWorkspace ? Workspace<Float>() : nil
        var lossPerStep: [Double] = [], spearmanPerStep: [Double] = []

        for step in 0..<total {
            let start = DispatchTime.now().uptimeNanoseconds
            // Min-max normalisation, min and max treated as constants.
            Self.normalise(parameters, into: &normalised, widths: &range, batch: batch, count: n)
            // dL/ds; `gradientScale` turns a loss call's sum into the mean's gradient.
            let gradient: [Float]
            var gradientScale: Float = 1
            if op.usesLossCall {
                // The exact and fused paths give sum -log P[b, i, i] and its gradient directly.
                let crossEntropy = try op.loss(
                    normalised, targets: targets, batch: batch, count: n, temperature: temperature,
                    threads: threads, workspace: workspace)
                backend = crossEntropy.backend.rawValue
                loss = Double(crossEntropy.value) / Double(size)
                // Scaled inside the update (no copy: the gradient shares the workspace's buffer).
                gradient = crossEntropy.gradient
                gradientScale = scale
            } else {
                let result = try op.forward(
                    normalised, batch: batch, count: n, temperature: temperature, threads: threads, workspace: workspace)
                // L = mean -log P[b, i, i];  dL/dP[b, i, i] = -1 / (B n P[b, i, i]).
                var lossSum = 0.0
                result.values.withUnsafeBufferPointer { p in
                    matrixGradient.withUnsafeMutableBufferPointer { g in
                        for b in 0..<batch {
                            for i in 0..<n {
                                let k = (b * n + i) * n + i
                                let diagonal = max(p[k], .leastNormalMagnitude)
                                lossSum -= log(Double(diagonal))
                                g[k] = -scale / diagonal
                            }
                        }
                    }
                }
                loss = lossSum / Double(size)
                backend = result.backend.rawValue
                gradient = try result.backward(matrixGradient)
            }
            // Through the normalisation, then SGD with momentum and weight decay.
            Self.update(
                &parameters, velocity: &velocity, gradient: gradient, gradientScale: gradientScale, widths: range,
                batch: batch, count: n, hyperparameters: (lr, momentum, decay))
            if step > 0 {
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            lossPerStep.append(loss)
            spearmanPerStep.append(try Spearman.againstDescending(parameters, batch: batch, count: n).min() ?? 1)
            progress(step + 1, total)
        }
        samples.sort()
        return TrainResult(
            op: op, count: n, batch: batch, threads: threads, backend: backend,
            steps: steps, temperature: temperature,
            msPerStep: samples.isEmpty ? 0 : samples[samples.count / 2],
            finalLoss: loss,
            spearmanPerRow: try Spearman.againstDescending(parameters, batch: batch, count: n),
            lossPerStep: lossPerStep, spearmanMinimumPerStep: spearmanPerStep, peakMemoryBytes: PeakMemory.bytes())
    }

    /// Each row of `parameters` min-max normalised to [0, 1] into
    /// `normalised` (a constant row stays unscaled: width 1), its width in
    /// `widths`. Part of the timed step: plain loops over the buffers, no
    /// slices or copies.
    static func normalise(
        _ parameters: [Float], into normalised: inout [Float], widths: inout [Float], batch: Int, count n: Int
    ) {
        parameters.withUnsafeBufferPointer { p in
        normalised.withUnsafeMutableBufferPointer { out in
            for b in 0..<batch {
                let row = p.baseAddress! + b * n, target = out.baseAddress! + b * n
                var low = Float.infinity, high = -Float.infinity
                for j in 0..<n {
                    low = min(low, row[j])
                    high = max(high, row[j])
                }
                let width = high - low > 0 ? high - low : 1
                widths[b] = width
                for j in 0..<n { target[j] = (row[j] - low) / width }
            }
        }}
    }

    /// One SGD-with-momentum step (PyTorch's convention, `TrainHyperparameters`)
    /// on `(gradient * gradientScale) / width` per row, the gradient through
    /// the normalisation. In place, part of the timed step.
    static func update(
        _ parameters: inout [Float], velocity: inout [Float], gradient: [Float], gradientScale: Float,
        widths: [Float], batch: Int, count n: Int,
        hyperparameters: (learningRate: Float, momentum: Float, weightDecay: Float)
    ) {
        let (lr, momentum, decay) = hyperparameters
        parameters.withUnsafeMutableBufferPointer { w in
        velocity.withUnsafeMutableBufferPointer { v in
        gradient.withUnsafeBufferPointer { g in
            for b in 0..<batch {
                let inverseWidth = 1 / widths[b]
                for j in b * n..<(b + 1) * n {
                    let step = g[j] * gradientScale * inverseWidth + decay * w[j]
                    v[j] = momentum * v[j] + step
                    w[j] -= lr * v[j]
                }
            }
        }}}
    }
}
