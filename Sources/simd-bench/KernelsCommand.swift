import ArgumentParser
import Foundation
import SoftSortKit

/// `simd-bench kernels`: the throughput of each kernel, per backend, next to
/// this machine's roofline measured in the same run.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Time each kernel per backend (Float, one thread) against the exp-and-store roofline.",
        discussion: """
            One element is one entry of P: a run over B rows of length n covers B n^2 elements. \
            The roofline is the exp-and-store throughput of CSimd's minimal AVX2 loop \
            (csimd_f32_expminus_u2__avx2_u32) on 4000 floats in L1, timed by the same tool, \
            batch row by batch row next to the kernel (rooflineFraction is the median of the \
            per-run ratios; roofline.expPerSecond the median over the whole run). \
            expMaxULP is the largest error of that exp against Double exp on a dense sample of \
            [-87.3, 0] (perf/exp-ulp-sweep.sh checks every float). The apply kernels run with \
            d = 1. softsort-loss and neuralsort-loss are the fused cross-entropy \
            (forward and backward in one pass, identity targets, no n x n buffer). NeuralSort has no p: its rows say "p": null. Every figure is the median of \
            --repetitions runs after one warm-up run.
            """)

    @Option(parsing: .upToNextOption, help: "Row lengths n.")
    var n: [Int] = [1000, 4000]

    @Option(parsing: .upToNextOption, help: "Powers p.")
    var p: [Double] = [1, 2]

    @Option(help: "Batch size B.")
    var batch = 20

    @Option(help: "Timed runs per figure (at least 5; the median is reported).")
    var repetitions = 5

    @Option(parsing: .upToNextOption, help: "Backends (default: every available one).")
    var backends: [String] = []

    @Option(parsing: .upToNextOption, help: "Kernels (default: all).")
    var kernels: [String] = []

    @Option(help: "Columns per tile of the fused apply (0: whole rows, no tiling).")
    var columnTile: Int?

    @Option(help: "AVX2 forward kernels: write P with non-temporal stores from this n on (default: never).")
    var streamingFrom: Int?

    @Option(help: "Also time the fused apply (d = 1, B = 1) at this n on the preferred backend, one run each.")
    var largeCount = 0

    @Flag(help: "Instead of the table: time the avx2 kernels with and without streaming stores and column tiles, alternately.")
    var compare = false

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        try OutputFile.check(json)
        guard repetitions >= 5 else { throw ValidationError("--repetitions must be at least 5") }
        guard batch >= 1, n.allSatisfy({ $0 >= 1 }) else { throw ValidationError("batch and n must be positive") }
    }

    func run() throws {
        let chosen = try backends.isEmpty ? Backend.available : backends.map { name -> Backend in
            guard let backend = Backend(rawValue: name), backend.isAvailable else {
                throw ValidationError("backend \(name) is unknown or unavailable here")
            }
            return backend
        }
        let names = try kernels.isEmpty ? KernelName.allCases : kernels.map { name -> KernelName in
            guard let kernel = KernelName(rawValue: name) else { throw ValidationError("unknown kernel \(name)") }
            return kernel
        }
        let tile = columnTile ?? ApplyTiling.defaultColumnTile

        if compare { return try compareMeasures() }
        let roofline = Self.expRoofline(repetitions: repetitions)
        let ulp = Self.expMaxULP()
        print("simd-bench kernels: Float, B = \(batch), one thread, median of \(repetitions) runs; "
              + "preferred backend \(try Backend.preferred()); apply column tile \(tile); "
              + "streaming stores \(streamingFrom.map { "from n = \($0)" } ?? "off")")
        if let roofline {
            print(String(format: "roofline: exp-and-store %.3g exp/s (AVX2 loop, 4000 floats in L1); exp max error %.3f ULP",
                         roofline, ulp ?? .nan))
        } else {
            print("roofline: not measured (no AVX2+FMA on this CPU)")
        }
        print("kernel                backend     n   p     elements/s   roofline")
        var results: [[String: Any]] = []
        var rate: [String: Double] = [:]
        var rooflineSamples: [Double] = []
        for count in n {
            for power in p {
                var workloads: [Bool: KernelWorkload] = [:]
                for kernel in names where kernel.usesPower || power == p.first {
                    let dense = kernel.needsMatrices
                    let workload = workloads[dense] ?? KernelWorkload(batch: batch, count: count, power: power, dense: dense)
                    workloads[dense] = workload
                    for backend in chosen {
                        workload.prepare(kernel, backend: backend)
                        var ran = backend
                        let streams = streamingFrom.map { count >= $0 } ?? false
                        let (perSecond, fraction, bound) = Self.pairedRate(
                            repetitions, workload: workload, roofline: roofline != nil
                        ) { rows in
                            ran = workload.run(
                                kernel, backend: backend, batchRows: rows, streamingStores: streams, columnTile: tile)
                        }
                        if let bound { rooflineSamples.append(bound) }
                        rate["\(kernel.rawValue) \(ran) \(count) \(power)"] = perSecond
                        let pText = kernel.usesPower ? String(format: "%g", power) : "-"
                        print(String(format: "%-21@ %-7@ %6d %3@ %14.4g %10@", kernel.rawValue as NSString,
                                     ran.rawValue as NSString, count, pText as NSString, perSecond,
                                     (fraction.map { String(format: "%.1f %%", 100 * $0) } ?? "-") as NSString))
                        results.append([
                            "kernel": kernel.rawValue, "backend": ran.rawValue, "n": count,
                            "p": kernel.usesPower ? power as Any : NSNull(),
                            "elementsPerSecond": perSecond, "rooflineFraction": fraction as Any? ?? NSNull(),
                        ])
                    }
                }
                workloads = [:]
            }
        }
        Self.printRatios(rate, n: n, p: p)
        if largeCount > 0 {
            results += try largeApply(count: largeCount, roofline: roofline)
        }
        // The roofline of the JSON: the median of every sample taken next to a kernel.
        let rooflineMedian = rooflineSamples.isEmpty ? roofline : rooflineSamples.sorted()[rooflineSamples.count / 2]
        if let rooflineMedian {
            print(String(format: "roofline over the run: median %.3g exp/s of %d samples", rooflineMedian, rooflineSamples.count))
        }
        if let json {
            let object: [String: Any] = [
                "roofline": ["expPerSecond": rooflineMedian as Any? ?? NSNull()],
                "expMaxULP": ulp as Any? ?? NSNull(),
                "results": results,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
    }

    /// Backward / forward time ratios and avx2 / simd speedups, from one run.
    static func printRatios(_ rate: [String: Double], n: [Int], p: [Double]) {
        for count in n {
            for power in p {
                if let f = rate["softsort-forward avx2 \(count) \(power)"], let b = rate["softsort-backward avx2 \(count) \(power)"],
                   let l = rate["softsort-loss avx2 \(count) \(power)"] {
                    print(String(format: "n %d p %g: dense forward + backward take %.2fx the time of the fused loss (avx2)",
                                 count, power, (1 / f + 1 / b) * l))
                }
                for (forward, backward) in [("softsort-forward", "softsort-backward"), ("apply-forward", "apply-backward")] {
                    if let f = rate["\(forward) avx2 \(count) \(power)"], let b = rate["\(backward) avx2 \(count) \(power)"] {
                        print(String(format: "n %d p %g: %@ takes %.2fx the time of %@ (avx2)", count, power,
                                     backward as NSString, f / b, forward as NSString))
                    }
                }
                for kernel in KernelName.allCases {
                    if let a = rate["\(kernel.rawValue) avx2 \(count) \(power)"],
                       let s = rate["\(kernel.rawValue) simd \(count) \(power)"] {
                        print(String(format: "n %d p %g: %@ avx2 / simd = %.2fx", count, power, kernel.rawValue as NSString, a / s))
                    }
                }
            }
        }
    }

    /// The avx2 kernels with and without each memory measure, run
    /// alternately so that both see the same machine load.
    func compareMeasures() throws {
        guard Backend.avx2.isAvailable else { throw ValidationError("--compare needs the avx2 backend") }
        print("simd-bench kernels --compare: avx2, Float, B = \(batch), one thread, median of \(repetitions) alternating pairs")
        let tile = columnTile ?? ApplyTiling.defaultColumnTile
        for count in n {
            for power in p {
                let dense = KernelWorkload(batch: batch, count: count, power: power, dense: true)
                for kernel in [KernelName.softSortForward, .neuralSortForward] where kernel.usesPower || power == p.first {
                    let r = Self.alternating(repetitions, {
                        dense.run(kernel, backend: .avx2, streamingStores: true)
                    }, {
                        dense.run(kernel, backend: .avx2, streamingStores: false)
                    })
                    print(String(format: "%@ n %d p %g: streaming stores %.4g elements/s, plain stores %.4g: streaming takes %.2fx the time",
                                 kernel.rawValue as NSString, count, power, Double(dense.elements) / r.a,
                                 Double(dense.elements) / r.b, r.ratio))
                }
            }
        }
        let applyCounts = n + (largeCount > 0 ? [largeCount] : [])
        for count in applyCounts {
            let rows = count == largeCount ? 1 : batch
            let pairs = count == largeCount ? 1 : repetitions
            for power in p {
                let workload = KernelWorkload(batch: rows, count: count, power: power, dense: false)
                for kernel in [KernelName.applyForward, .applyBackward] {
                    workload.prepare(kernel, backend: .avx2)
                    let r = Self.alternating(pairs, warmUp: count != largeCount, {
                        workload.run(kernel, backend: .avx2, columnTile: tile)
                    }, {
                        workload.run(kernel, backend: .avx2, columnTile: 0)
                    })
                    print(String(format: "%@ n %d B %d p %g: tiles of %d %.4g elements/s, whole rows %.4g: tiled takes %.2fx the time",
                                 kernel.rawValue as NSString, count, rows, power, tile, Double(workload.elements) / r.a,
                                 Double(workload.elements) / r.b, r.ratio))
                }
            }
        }
    }

    /// The fused apply at a large n (B = 1, d = 1): one forward, one backward,
    /// with the process's peak resident memory.
    func largeApply(count: Int, roofline: Double?) throws -> [[String: Any]] {
        let backend = try Backend.preferred()
        var results: [[String: Any]] = []
        for power in p {
            let workload = KernelWorkload(batch: 1, count: count, power: power, dense: false)
            for kernel in [KernelName.applyForward, .applyBackward] {
                let start = DispatchTime.now().uptimeNanoseconds
                let ran = workload.run(kernel, backend: backend)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let perSecond = Double(workload.elements) / seconds
                var usage = rusage()
                #if os(Linux)
                getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
                #else
                getrusage(RUSAGE_SELF, &usage)
                #endif
                print(String(format: "large: %@ %@ n %d p %g d 1: %.2f s, %.4g elements/s, peak RSS %.0f MiB (one run)",
                             kernel.rawValue as NSString, ran.rawValue as NSString, count, power, seconds, perSecond,
                             Double(usage.ru_maxrss) / 1024))
                results.append([
                    "kernel": kernel.rawValue, "backend": ran.rawValue, "n": count, "p": power,
                    "elementsPerSecond": perSecond, "rooflineFraction": roofline.map { perSecond / $0 } as Any? ?? NSNull(),
                ])
            }
        }
        return results
    }
}
