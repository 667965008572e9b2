/// The exact `p = 1` path over a batch: sort each row, then run the scans on
/// lane blocks of batch rows (`LaneBlocks`): full blocks run in SIMD lanes in
/// lockstep, the remaining rows one at a time. A block writes only its own
/// batch rows, so the scheduler spreads blocks over threads, each contiguous
/// range of blocks with its own scratch; the blocks depend on the batch size
/// only, so results are bitwise identical for every thread count.
enum ExactEngine {
    /// The estimated element-operations (the scheduler's unit, about one
    /// dense kernel element) of `passes` scan passes over `batch x count x d`
    /// elements. A scan element (a gather, an `exp`, two scans, a scatter)
    /// costs far more than one dense element: the B = 20, n = 4000 training
    /// step runs at about 100 ns per element, so each counts 16. Saturates.
    static func work(_ shape: BatchShape, dimension d: Int = 1, passes: Int = 1) -> Int {
        let (rows, o1) = (16 * passes).multipliedReportingOverflow(by: shape.batch)
        let (elements, o2) = rows.multipliedReportingOverflow(by: shape.count)
        let (total, o3) = elements.multipliedReportingOverflow(by: d)
        return o1 || o2 || o3 ? .max : total
    }

    /// Sorts each batch row and runs the normalizer scans. Each lane block
    /// sorts its own rows (the radix sort writes the sorted scores, so no
    /// gather through the permutation) straight into the block layout the
    /// scans read; the sorted scores stay in the state.
    ///
    /// With a `workspace` the state's storage is the workspace's kept one
    /// (a fresh one while an earlier result holds it) and every scratch of
    /// the state's operations the workspace's row scratch (they all run
    /// holding the workspace); with `lendsOrder` (a loss call, whose state
    /// lives for the call only) the permutation is the workspace's `order`,
    /// moved out (the caller moves it back). `sortKeys`: the caller's
    /// scores the rows are sorted by when `scores` are rescaled (`Plan.sortKeys`).
    static func prepare<T: ScanScalar>(
        _ scores: [T], shape: BatchShape, configuration: Configuration<T>, kernels: BackendKernels<T>,
        workspace: LossBuffers<T>? = nil, lendsOrder: Bool = false, sortKeys: [T]? = nil
    ) -> ExactState<T> {
        let n = shape.count, total = shape.elements, scheduler = configuration.scheduler
        // Every element is written below (each row's sort fills its order).
        var permutation: [Int] = []
        if let workspace, lendsOrder { swap(&permutation, &workspace.order) }
        resizeBuffer(&permutation, total)
        let storage = workspace?.exactStorage(count: 4 * total) ?? Storage<T>(uninitializedCount: 4 * total)
        let f = storage.base, l = f + total, r = l + total, x = r + total
        let blocks = LaneBlocks(batch: shape.batch, lanes: kernels.scanLanes)
        let inverseTemperature = 1 / configuration.temperature
        let direction = configuration.direction
        // Scratch per range of blocks: the sort's words.
        let sortWords = SortedRows.scratchWords(count: n)
        // A batch of one block leaves the other threads idle: a long row's sort uses them.
        let sortThreads = scheduler.helpers(forItems: blocks.items)
        scores.withBase { s in
        sortKeys.withBase { keys in
        permutation.withMutableBase { p in
            scheduler.forEach(
                blocks, work: work(shape), scratch: sortWords, of: UInt64.self, kept: workspace?.rowScratch
            ) { _, block, words in
                let base = block.first * n
                for lane in 0..<block.lanes {
                    // Each row's sorted scores go straight into its lane of the block layout.
                    let b = block.first + lane
                    SortedRows.sort(
                        s + b * n, count: n, direction: direction, order: p + b * n, sorted: x + base + lane,
                        stride: block.lanes, scratch: words, parallel: sortThreads, keys: keys.map { $0 + b * n })
                }
                PrepareScan(
                    sorted: x + base, factors: f + base, left: l + base, right: r + base, count: n,
                    inverseTemperature: inverseTemperature
                ).run(lanes: block.lanes)
            }
        }}}
        return ExactState(
            shape: shape, configuration: configuration, lanes: kernels.scanLanes, backend: kernels.scanBackend,
            scores: scores, permutation: permutation, storage: storage, scratch: workspace?.rowScratch)
    }

    /// `P V` (`transposed: false`: `input` in column order, output rows
    /// sorted) or `P^T U` (`true`: `input` rows sorted, output in column
    /// order), `batch x count x d`. `input` `nil`: `P s`, the state's own
    /// scores (`d = 1`, not transposed), read sorted from the state.
    static func product<T: ScanScalar>(_ state: ExactState<T>, _ input: [T]?, dimension d: Int, transposed: Bool) -> [T] {
        precondition(input != nil || (d == 1 && !transposed), "P s only")
        let n = state.shape.count, lanes = state.lanes, total = state.shape.elements * d
        // Every element is written by one block's unpack.
        var output = [T](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
        guard total > 0 else { return output }
        // Scratch per range of blocks: the packed input, the block's result, running sums.
        let scratch = 2 * lanes * n * d + lanes * d
        let f = state.factors, l = state.left, r = state.right, x = state.sorted
        let fromScores = input == nil
        state.permutation.withBase { permutation in
        (input ?? []).withBase { input in
        output.withMutableBase { out in
            state.configuration.scheduler.forEach(
                state.blocks, work: work(state.shape, dimension: d), scratch: scratch, of: T.self, kept: state.scratch
            ) { _, block, packed in
                let base = block.first * n
                let result = packed + lanes * n * d, running = result + lanes * n * d
                if transposed {
                    ScanLayout.packRows(input, first: block.first, lanes: block.lanes, count: n, dimension: d, into: packed)
                } else if !fromScores {
                    ScanLayout.packPermuted(
                        input, permutation: permutation, first: block.first, lanes: block.lanes, count: n,
                        dimension: d, into: packed)
                }
                ProductScan(
                    factors: f + base, left: l + base, right: r + base, input: fromScores ? x + base : packed,
                    output: result, running: running, count: n, dimension: d, transposed: transposed
                ).run(lanes: block.lanes)
                if transposed {
                    ScanLayout.unpackPermuted(
                        result, permutation: permutation, first: block.first, lanes: block.lanes, count: n,
                        dimension: d, into: out)
                } else {
                    ScanLayout.unpackRows(result, first: block.first, lanes: block.lanes, count: n, dimension: d, into: out)
                }
            }
        }}}
        return output
    }
}
