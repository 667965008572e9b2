import ArgumentParser
import Foundation
import SoftSortKit

extension TrainOperator: ExpressibleByArgument {}

/// `simd-bench train` (the default): the paper's synthetic speed experiment
/// (section 5.5, appendix A.4) on this machine.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The paper's speed experiment: learn B rows to sort themselves, timing each step.",
        discussion: """
            B rows of n parameters start U(-1, 1) from a fixed seed. Each step min-max \
            normalises every row to [0, 1] (min and max held constant), computes P, takes \
            L = mean_{b,i} -log P[b, i, i] (target: the identity, rows sorted descending), \
            backpropagates and takes an SGD-with-momentum step. 1 warm-up step, then the timed \
            steps; the median time per step is reported, with the speedup against NeuralSort \
            and the smallest Spearman correlation of a row with the descending order. \
            Operators: softsort-p2 (tau 0.1), softsort-p1 (dense, tau 0.1), softsort-p1-exact (the O(n log n) \
            scan path, tau 0.1), softsort-p2-gauss (p = 2 through the fast Gauss transform, tau 0.1), \
            neuralsort (tau 100), and softsort-p2-fused, softsort-p1-fused, \
            neuralsort-fused: the same loss (the library's sum, divided by B n here) and update on the \
            fused path (one row of P at a time, no n x n matrix). Every run reports its peak resident \
            memory (peakMemoryBytes: VmHWM after a reset through /proc/self/clear_refs at the start of \
            the run, so one run's matrices are not charged to the next; it includes the process's baseline).
            """)

    @Option(parsing: .upToNextOption, help: "Row lengths n (default 100 500 1000 2000 4000).")
    var n: [Int] = []

    @Flag(help: "n = 100, 200, ..., 4000 (40 sizes; long).")
    var full = false

    @Option(
        help: ArgumentHelp(
            "Timed steps per run, after 1 warm-up, at every n.",
            discussion: "Default: 100 up to n = 1000, then 100 (1000 / n), at least 10 (50 at n = 2000, 25 at n = 4000), to keep the default run within about 3 minutes on 2 cores."))
    var steps: Int?

    @Option(parsing: .upToNextOption, help: "Operators to run (default: all).")
    var operators: [TrainOperator] = TrainOperator.allCases

    @Option(help: "Batch size B.")
    var batch = 20

    @Option(help: "Library threads (default: Parallelism.defaultThreadCount, i.e. SOFTSORT_THREADS or the cores available).")
    var threads: Int?

    @Flag(help: "Allocate fresh buffers every step instead of reusing one Workspace per run.")
    var noWorkspace = false

    @Option(help: "Seed of the initial parameters.")
    var seed: UInt64 = 2020

    @Option(name: .customLong("tau-p2"), help: "SoftSort p = 2 temperature.")
    var temperatureP2 = TrainOperator.softSortP2.defaultTemperature

    @Option(name: .customLong("tau-p1"), help: "SoftSort p = 1 temperature (dense and exact).")
    var temperatureP1 = TrainOperator.softSortP1.defaultTemperature

    @Option(name: .customLong("tau-neuralsort"), help: "NeuralSort temperature.")
    var temperatureNeuralSort = TrainOperator.neuralSort.defaultTemperature

    @Option(help: "SGD learning rate.")
    var learningRate = 10.0

    @Option(help: "SGD momentum.")
    var momentum = 0.5

    @Option(help: "L2 weight decay.")
    var weightDecay = 0.01

    @Option(help: "Also write the results as CSV to this file.")
    var csv: String?

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        try OutputFile.check(json)
        if full && !n.isEmpty { throw ValidationError("--full and --n exclude each other") }
        if n.contains(where: { $0 < 1 }) { throw ValidationError("every n must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// The sizes to run, smallest first.
    var sizes: [Int] {
        if full { return Array(stride(from: 100, through: 4000, by: 100)) }
        return n.isEmpty ? [100, 500, 1000, 2000, 4000] : n
    }

    /// The timed steps at `n`: `--steps`, or the default schedule.
    func stepCount(_ n: Int) -> Int {
        if let steps { return steps }
        return n <= 1000 ? 100 : max(10, Int((100 * 1000 / Double(n)).rounded()))
    }

    /// `--threads`, or the library's default.
    var threadCount: Int { threads ?? Parallelism.defaultThreadCount }

    func run() throws {
        let experiment = TrainExperiment(
            batch: batch, seed: seed,
            hyperparameters: TrainHyperparameters(
                learningRate: learningRate, momentum: momentum, weightDecay: weightDecay),
            temperatures: [
                .softSortP2: temperatureP2, .softSortP1: temperatureP1, .softSortP1Exact: temperatureP1,
                .softSortP2Gauss: temperatureP2,
                .neuralSort: temperatureNeuralSort,
            ],
            threads: threadCount, reuseWorkspace: !noWorkspace)
        let backend = try Backend.preferred()
        let ops = TrainOperator.allCases.filter(operators.contains)  // fixed order, NeuralSort last
        print(
            "simd-bench train: Float, B = \(batch), "
                + (steps.map { "\($0) timed steps" } ?? "100 timed steps (fewer above n = 1000, see --help)")
                + " after 1 warm-up, backend \(backend), threads \(threadCount) of "
                + "\(Parallelism.availableCores) cores, \(noWorkspace ? "fresh buffers every step" : "one reused workspace"), "
                + "lr \(learningRate), momentum \(momentum), weight decay \(weightDecay), seed \(seed)")
        var progress = Progress()
        var results: [TrainResult] = []
        for count in sizes {
            for op in ops {
                let result = try experiment.run(op, count: count, steps: stepCount(count)) { done, total in
                    progress.update("\(op.rawValue) n = \(count): step \(done)/\(total)")
                }
                progress.update(
                    "\(op.rawValue) n = \(count): " + String(format: "%.2f ms/step", result.msPerStep), force: true)
                results.append(result)
            }
        }
        progress.finish()
        let report = TrainReport(results: results, machine: .current())
        print(report.table)
        if let csv {
            try report.csv.write(toFile: csv, atomically: true, encoding: .utf8)
            print("wrote \(csv)")
        }
        if let json {
            try report.json().write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
    }
}

/// One progress line on stderr: rewritten in place on a terminal (at most
/// every 0.2 s), one line per run otherwise.
private struct Progress {
    private let terminal = isatty(STDERR_FILENO) != 0
    private var last = DispatchTime(uptimeNanoseconds: 0)

    mutating func update(_ line: String, force: Bool = false) {
        if terminal {
            let now = DispatchTime.now()
            guard force || now.uptimeNanoseconds - last.uptimeNanoseconds > 200_000_000 else { return }
            last = now
            FileHandle.standardError.write(Data(("\r\u{1B}[K[train] " + line).utf8))
        } else if force {
            FileHandle.standardError.write(Data(("[train] " + line + "\n").utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
