import ArgumentParser
import Foundation
import SoftSortKit

extension DigitsOperator: ExpressibleByArgument {}
extension DigitsScorer.Architecture: ExpressibleByArgument {}

/// `simd-bench digits`: the paper's sorting task (section 5.2) on real
/// handwritten digits (UCI optdigits, data/digits/).
struct DigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "The paper's sorting task on handwritten numbers: learn to sort from permutations alone.",
        discussion: """
            Large numbers are four 8 x 8 optdigits images side by side (8 x 32 pixels, value \
            0000-9999). The images are split 75/25 per digit class into train and test, so test \
            numbers are made of images never seen in training. Each step draws B sequences of n \
            train numbers; a small CNN scores every image; the loss is the cross-entropy between \
            the rows of the relaxed permutation P and the true permutation (descending), its \
            gradient through SoftSortKitDifferentiable; Adam, cosine-decayed learning rate. On \
            2000 test sequences per n: the share of permutations recovered exactly and of \
            elements placed correctly. One thread throughout.
            """)

    @Option(parsing: .upToNextOption, help: "Sequence lengths n (default 3 5 7 9 15).")
    var n: [Int] = [3, 5, 7, 9, 15]

    @Option(parsing: .upToNextOption, help: "Operators (default: softsort softsort-stochastic neuralsort).")
    var operators: [DigitsOperator] = DigitsOperator.allCases

    @Option(help: "Adam steps per run, at every n.")
    var steps = 3000

    @Option(help: "Sequences per step B.")
    var batch = 20

    @Option(help: "Adam's initial learning rate (cosine-decayed to 0).")
    var learningRate = 0.01

    @Option(help: "Temperature of every operator (the scorer learns the scale of its scores).")
    var temperature = 1.0

    @Option(help: "Gumbel samples per sequence for softsort-stochastic.")
    var samples = 5

    @Option(help: "Augmentation: each training digit image moves by up to this many pixels (0: none).")
    var shift = 0

    @Option(help: "Decoupled weight decay (AdamW); 0: plain Adam.")
    var weightDecay = 0.0

    @Option(help: "Width of the scorer's per-digit layers.")
    var width = 64

    @Option(help: "Scorer: slots (a CNN with one 8 x 8 window per digit, softmax-ended), slots-relu or mlp.")
    var model: DigitsScorer.Architecture = .slots

    @Option(help: "Seed of the initial weights, the training batches and the noise (the split and the test set do not change).")
    var seed: UInt64 = 1

    @Option(help: "Test sequences per n.")
    var testSequences = 2000

    @Option(help: "The digits file (default: data/digits/optdigits-8x8.txt of this repository).")
    var data: String?

    @Option(help: "Also write the results, with learning curves, as JSON to this file.")
    var json: String?

    func validate() throws {
        try OutputFile.check(json)
        if n.contains(where: { $0 < 2 }) { throw ValidationError("every n must be at least 2") }
        if shift < 0 || shift > 3 { throw ValidationError("--shift must be in 0 ... 3") }
        if steps < 1 || batch < 1 || samples < 1 || testSequences < 1 {
            throw ValidationError("--steps, --batch, --samples and --test-sequences must be at least 1")
        }
        if !(learningRate > 0) || !(temperature > 0) { throw ValidationError("--learning-rate and --temperature must be positive") }
    }

    func run() throws {
        let path = data ?? DigitImages.defaultPath()
        let digits = try DigitImages.load(path: path)
        var settings = DigitsSettings(
            batch: batch, learningRate: learningRate, temperature: temperature, samples: samples,
            architecture: model.rawValue, seed: seed, shift: shift, weightDecay: weightDecay, width: width,
            testSequences: testSequences)
        let (train, test) = digits.split(testFraction: settings.testFraction, seed: settings.splitSeed)
        settings.trainImages = train.count
        settings.testImages = test.count
        let experiment = DigitsExperiment(settings: settings, digits: digits, train: train, test: test)
        print(
            "simd-bench digits: \(digits.count) images from \(path) (\(train.count) train, \(test.count) test), "
                + "model \(model.rawValue), B = \(batch), \(steps) Adam steps, lr \(learningRate), tau \(temperature), "
                + "\(samples) Gumbel samples, seed \(seed), \(testSequences) test sequences per n, one thread")
        let ops = DigitsOperator.allCases.filter(operators.contains)
        var progress = DigitsProgress(total: ops.count * n.count * steps)
        var results: [DigitsResult] = []
        let start = DispatchTime.now()
        for count in n {
            for op in ops {
                let result = try experiment.run(op, count: count, steps: steps) { step, loss in
                    progress.advance("\(op.rawValue) n = \(count)", step: step, of: steps, loss: loss)
                }
                progress.finished(
                    "\(op.rawValue) n = \(count): exact \(format(result.exactAccuracy)), element "
                        + "\(format(result.elementAccuracy)), \(String(format: "%.1f", result.seconds)) s")
                results.append(result)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        progress.close()
        print(DigitsReport.table(results))
        print(String(format: "total %.1f s", seconds))
        if let json {
            try DigitsReport.json(results: results, settings: settings, seconds: seconds)
                .write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
    }

    private func format(_ x: Double) -> String { String(format: "%.3f", x) }
}

/// A progress bar on stderr: redrawn in place on a terminal (at most every
/// 0.2 s), a line per finished run otherwise.
struct DigitsProgress {
    private let terminal = isatty(STDERR_FILENO) != 0
    private var last = DispatchTime(uptimeNanoseconds: 0)
    private let total: Int
    private var done = 0

    init(total: Int) { self.total = max(1, total) }

    mutating func advance(_ label: String, step: Int, of steps: Int, loss: Double) {
        done += 1
        guard terminal else { return }
        let now = DispatchTime.now()
        guard now.uptimeNanoseconds - last.uptimeNanoseconds > 200_000_000 || step == steps else { return }
        last = now
        let width = 30, filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "[%@] %3d%% %@: step %d/%d, loss %.4f", bar, 100 * done / total, label, step, steps, loss)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func finished(_ line: String) {
        FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + "[digits] \(100 * done / total)% " + line + "\n").utf8))
    }

    func close() {}
}
