import SoftSortKit

/// `softsortkit_options` of softsortkit.h, and the one place where it
/// becomes the library's operator (`SoftSort` or `NeuralSort`) and
/// `SoftSortPath`.
///
/// The struct is read field by field at its C offsets (four `int32_t`, then
/// four `double`: 48 bytes, no padding; the header asserts the offsets).
struct CallOptions {
    var method: Int32 = 0
    var direction: Int32 = 0
    var path: Int32 = 0
    var windowWidth: Int32 = 0
    var temperature: Double = 1
    var power: Double = 1
    var windowTolerance: Double = 0
    var accuracy: Double = 0

    /// `softsortkit_options_init`'s values: SoftSort, descending, automatic, `tau = 1`, `p = 1`.
    static let defaults = CallOptions()

    /// The byte offsets of the C fields.
    private enum Offset {
        static let method = 0, direction = 4, path = 8, windowWidth = 12
        static let temperature = 16, power = 24, windowTolerance = 32, accuracy = 40
    }

    private init() {}

    /// Reads the caller's struct.
    init(_ pointer: UnsafeRawPointer?) throws(Failure) {
        guard let pointer else { throw .nullPointer(argument: "options") }
        method = pointer.loadUnaligned(fromByteOffset: Offset.method, as: Int32.self)
        direction = pointer.loadUnaligned(fromByteOffset: Offset.direction, as: Int32.self)
        path = pointer.loadUnaligned(fromByteOffset: Offset.path, as: Int32.self)
        windowWidth = pointer.loadUnaligned(fromByteOffset: Offset.windowWidth, as: Int32.self)
        temperature = pointer.loadUnaligned(fromByteOffset: Offset.temperature, as: Double.self)
        power = pointer.loadUnaligned(fromByteOffset: Offset.power, as: Double.self)
        windowTolerance = pointer.loadUnaligned(fromByteOffset: Offset.windowTolerance, as: Double.self)
        accuracy = pointer.loadUnaligned(fromByteOffset: Offset.accuracy, as: Double.self)
    }

    /// Whether every field has the same bits (`-0` and `0` differ, as a
    /// cache key needs).
    func sameBits(as other: CallOptions) -> Bool {
        method == other.method && direction == other.direction && path == other.path
            && windowWidth == other.windowWidth && temperature.bitPattern == other.temperature.bitPattern
            && power.bitPattern == other.power.bitPattern
            && windowTolerance.bitPattern == other.windowTolerance.bitPattern
            && accuracy.bitPattern == other.accuracy.bitPattern
    }

    /// Writes these options into the caller's struct.
    func write(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: method, toByteOffset: Offset.method, as: Int32.self)
        pointer.storeBytes(of: direction, toByteOffset: Offset.direction, as: Int32.self)
        pointer.storeBytes(of: path, toByteOffset: Offset.path, as: Int32.self)
        pointer.storeBytes(of: windowWidth, toByteOffset: Offset.windowWidth, as: Int32.self)
        pointer.storeBytes(of: temperature, toByteOffset: Offset.temperature, as: Double.self)
        pointer.storeBytes(of: power, toByteOffset: Offset.power, as: Double.self)
        pointer.storeBytes(of: windowTolerance, toByteOffset: Offset.windowTolerance, as: Double.self)
        pointer.storeBytes(of: accuracy, toByteOffset: Offset.accuracy, as: Double.self)
    }

    /// The library's forward of these options on `scores`, with the
    /// process-wide backend and thread count: every output of the ABI runs
    /// from the `RelaxedPermutation` this returns.
    ///
    /// - Throws: `.invalidArgument` for a method, direction or path code the
    ///   header does not define; the library's errors otherwise.
    func forward<T: SoftSortScalar>(
        scores: [T], batch: Int, count: Int, workspace: Workspace<T>
    ) throws -> RelaxedPermutation<T> {
        let direction = try sortDirection()
        let path = try softSortPath()
        // Each operator's own forward, not through `any RelaxedSortOperator`:
        // the library's Float and Double specializations serve direct calls only.
        switch method {
        case 0:
            return try SoftSort(
                temperature: temperature, power: power, direction: direction, backend: Settings.backend,
                threads: Settings.threads, accuracy: accuracy == 0 ? nil : accuracy
            ).forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
        case 1:
            return try NeuralSort(
                temperature: temperature, direction: direction, backend: Settings.backend, threads: Settings.threads
            ).forward(scores: scores, batch: batch, count: count, path: path, workspace: workspace)
        default:
            throw Failure.invalidArgument(name: "method", value: Int(method))
        }
    }

    private func sortDirection() throws(Failure) -> SortDirection {
        switch direction {
        case 0: return .descending
        case 1: return .ascending
        default: throw .invalidArgument(name: "direction", value: Int(direction))
        }
    }

    private func softSortPath() throws(Failure) -> SoftSortPath {
        switch path {
        case 0: return .automatic
        case 1: return .dense
        case 2: return .fused
        case 3: return .exact
        case 4: return .gauss
        case 5: return .window(.ranks(Int(windowWidth)))
        case 6: return .window(.tolerance(windowTolerance))
        default: throw .invalidArgument(name: "path", value: Int(path))
        }
    }
}

/// The `SOFTSORTKIT_PATH_*` code an output reports in `path_used`.
enum PathCode {
    static func of(_ path: SoftSortPath) -> Int32 {
        switch path {
        case .automatic: return 0
        case .dense: return 1
        case .fused: return 2
        case .exact: return 3
        case .gauss: return 4
        case .window(.ranks): return 5
        case .window(.tolerance): return 6
        }
    }
}
