/// The ways a SoftSortKit call can reject its input.
///
/// Every case names the argument at fault; nothing is clamped or fixed up
/// silently.
public enum SoftSortError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The temperature is `<= 0`, infinite or NaN.
    case invalidTemperature(Double)
    /// The power `p` of the distance `|x|^p` is `<= 0`, infinite or NaN.
    case invalidPower(Double)
    /// A score is infinite or NaN; `row` is the batch row, `column` the index in it.
    case nonFiniteScore(row: Int, column: Int)
    /// A buffer's element count does not match the shape it was given with.
    case sizeMismatch(argument: String, expected: Int, actual: Int)
    /// A dimension (batch, count, samples) is negative, or a count that must be
    /// positive is not.
    case invalidDimension(argument: String, value: Int)
    /// `batch * count * count` does not fit in `Int`.
    case shapeOverflow(batch: Int, count: Int)
    /// A score that must be positive (log-scores are taken of it) is not.
    case nonPositiveScore(row: Int, column: Int)
    /// `SOFTSORT_BACKEND` names no backend.
    case unknownBackend(String)
    /// The backend asked for cannot run in this build or on this CPU.
    case backendUnavailable(String)
    /// A real-valued argument other than the temperature or power (a quantile
    /// level, a window tolerance) is outside its documented range or not finite.
    case invalidArgument(name: String, value: Double)

    public var description: String {
        switch self {
        case .invalidTemperature(let t):
            return "temperature must be finite and > 0, got \(t)"
        case .invalidPower(let p):
            return "power p must be finite and > 0, got \(p)"
        case .nonFiniteScore(let row, let column):
            return "score at row \(row), column \(column) is not finite"
        case .sizeMismatch(let argument, let expected, let actual):
            return "\(argument) has \(actual) elements, expected \(expected)"
        case .invalidDimension(let argument, let value):
            return "\(argument) = \(value) is out of range"
        case .shapeOverflow(let batch, let count):
            return "batch * count * count overflows Int for batch \(batch), count \(count)"
        case .nonPositiveScore(let row, let column):
            return "score at row \(row), column \(column) must be > 0 to take its logarithm"
        case .unknownBackend(let name):
            return "unknown backend '\(name)': expected one of scalar, simd, avx2"
        case .backendUnavailable(let name):
            return "backend '\(name)' is not available in this build or on this CPU"
        case .invalidArgument(let name, let value):
            return "\(name) = \(value) is out of range"
        }
    }
}
