/// The ways a SoftSortKit call can reject its input.
///
/// Every case names the argument at fault; nothing is clamped or fixed up
/// silently.
public enum SoftSortError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The temperature is `<= 0`, infinite or NaN (or is so once converted to
    /// the element type, or its reciprocal is).
    case invalidTemperature(Double)
    /// The power `p` of the distance `|x|^p` is `<= 0`, infinite or NaN.
    case invalidPower(Double)
    /// A score is infinite or NaN; `row` is the batch row, `column` the index in it.
    case nonFiniteScore(row: Int, column: Int)
    /// An element of another input (values, rows, matches) is infinite or
    /// NaN; `index` is its position in the flat buffer. Kept for source
    /// compatibility: the library's checks throw `nonFiniteInput` instead.
    case nonFiniteValue(argument: String, index: Int)
    /// An element of an input other than the scores (`values`, `matches`,
    /// an upstream `gradient`) is infinite or NaN. `row` is its batch row (of
    /// the result's rows for an upstream gradient: `B k` for stochastic
    /// samples) and `column` its index within that batch row's block of the
    /// flat buffer: `j * d + e` for `count x d` values, `i * count + j` for a
    /// `dL/dP` block, the entry's index within the row's kept entries for a
    /// windowed gradient.
    case nonFiniteInput(argument: String, row: Int, column: Int)
    /// Memory the call needs (a `B x n x n` matrix, or `B n d` values) is more
    /// than this process may use now: the smallest of its address-space and
    /// data limits (`RLIMIT_AS`, `RLIMIT_DATA`) less what it uses, its cgroup's
    /// `memory.max` less `memory.current` (v1: `memory.limit_in_bytes`), and
    /// the system's `MemAvailable`. `alternative` names the path that needs
    /// no such matrix.
    case insufficientMemory(bytesNeeded: Int, bytesAvailable: Int, alternative: String)
    /// A score that must be positive (its logarithm is taken) is not.
    case nonPositiveScore(row: Int, column: Int)
    /// A buffer's element count does not match the shape it was given with.
    case sizeMismatch(argument: String, expected: Int, actual: Int)
    /// A shape (batch, count, dimension) is negative, or a dimension that
    /// must be positive is not.
    case invalidDimension(argument: String, value: Int)
    /// The bytes the call would hold (`B n^2`, `B n d` or `B n` elements,
    /// `Validation.bytesPerElement` bytes each, an empty batch counted as one
    /// row) do not fit in `Int`.
    case shapeOverflow(batch: Int, count: Int)
    /// A thread count is below 1 or above `Parallelism.maximumThreadCount`.
    case invalidThreadCount(Int)
    /// The environment variable `SOFTSORT_THREADS` is set but is no integer
    /// in `1 ... Parallelism.maximumThreadCount`; the payload is its text.
    case invalidThreadCountVariable(String)
    /// A number of rows to take (`k` of top-k or of the kNN loss) is outside
    /// its range, `0 ... count` or `1 ... count`.
    case invalidRowSelection(argument: String, value: Int, count: Int)
    /// An index (a target column) is outside `0 ..< count`; `position` is
    /// its place in the flat buffer.
    case indexOutOfRange(argument: String, position: Int, value: Int, count: Int)
    /// A window of ranks `w` is negative.
    case invalidWindowWidth(Int)
    /// A number of samples per row is below 1.
    case invalidSampleCount(Int)
    /// A real-valued argument other than the temperature or power (a quantile
    /// level, a window tolerance) is outside its documented range or not finite.
    case invalidArgument(name: String, value: Double)
    /// A path that cannot compute the output asked for, or cannot run for
    /// the operator (`SoftSortPath.exact` needs SoftSort with `p = 1`);
    /// `reason` names the output and a path that can.
    case unsupportedPath(path: String, reason: String)
    /// A `Workspace` was passed to a call while another call (on another
    /// thread) was using it. Nothing was read or written; give each
    /// concurrent loop its own workspace.
    case workspaceInUse
    /// `SOFTSORT_BACKEND` names no backend.
    case unknownBackend(String)
    /// The backend asked for cannot run in this build or on this CPU.
    case backendUnavailable(String)

    /// A sentence naming the argument and the rule it broke.
    public var description: String {
        switch self {
        case .invalidTemperature(let t):
            return "temperature must be finite and > 0, got \(t)"
        case .invalidPower(let p):
            return "power p must be finite and > 0, got \(p)"
        case .nonFiniteScore(let row, let column):
            return "score at row \(row), column \(column) is not finite"
        case .nonFiniteValue(let argument, let index):
            return "\(argument)[\(index)] is not finite"
        case .nonFiniteInput(let argument, let row, let column):
            return "\(argument) at row \(row), column \(column) is not finite"
        case .insufficientMemory(let needed, let available, let alternative):
            return "the call needs \(needed) bytes but this process may use only \(available) more; \(alternative)"
        case .nonPositiveScore(let row, let column):
            return "score at row \(row), column \(column) must be > 0 to take its logarithm"
        case .sizeMismatch(let argument, let expected, let actual):
            return "\(argument) has \(actual) elements, expected \(expected)"
        case .invalidDimension(let argument, let value):
            return "\(argument) = \(value) is out of range"
        case .shapeOverflow(let batch, let count):
            return "the elements for batch \(batch), count \(count) overflow Int"
        case .invalidThreadCount(let threads):
            return "threads must be in 1...\(Parallelism.maximumThreadCount), got \(threads)"
        case .invalidThreadCountVariable(let text):
            return "the environment variable SOFTSORT_THREADS = '\(text)' is not a thread count: "
                + "set it to an integer in 1...\(Parallelism.maximumThreadCount), or unset it"
        case .invalidRowSelection(let argument, let value, let count):
            return "\(argument) = \(value) rows is out of range for rows of \(count)"
        case .indexOutOfRange(let argument, let position, let value, let count):
            return "\(argument)[\(position)] = \(value) is outside 0 ..< \(count)"
        case .invalidWindowWidth(let width):
            return "window width must be >= 0, got \(width)"
        case .invalidSampleCount(let samples):
            return "samplesPerRow must be at least 1, got \(samples)"
        case .invalidArgument(let name, let value):
            return "\(name) = \(value) is out of range"
        case .unsupportedPath(let path, let reason):
            return "path '\(path)' cannot run here: \(reason)"
        case .workspaceInUse:
            return "the workspace is in use by another call at the same time; give each concurrent loop its own"
        case .unknownBackend(let name):
            return "the environment variable SOFTSORT_BACKEND = '\(name)' names no backend: "
                + "expected one of scalar, simd, avx2, or unset it"
        case .backendUnavailable(let name):
            return "backend '\(name)' is not available in this build or on this CPU"
        }
    }
}
