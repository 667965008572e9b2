/// An operator's parameters after the checks, in the element type: what
/// every engine receives.
struct Configuration<T: SoftSortScalar>: Sendable {
    /// `tau`, finite and positive in `T`, with a finite reciprocal.
    let temperature: T
    /// `p` of `|x|^p` (`.one` for NeuralSort, which has none).
    let power: DistancePower
    let direction: SortDirection
    /// The backend asked for (or the preferred one), available here.
    let backend: Backend
    let scheduler: BatchScheduler

    /// `+1` descending, `-1` ascending.
    var sign: T { direction == .descending ? 1 : -1 }

    /// Checks and converts an operator's parameters (the same labels on every
    /// operator: `temperature:power:direction:backend:threads:`).
    init(
        temperature: Double, power: Double = 1, direction: SortDirection, backend: Backend?, threads: Int?
    ) throws(SoftSortError) {
        self.temperature = try Validation.temperature(temperature, as: T.self)
        self.power = try Validation.power(power)
        self.direction = direction
        self.backend = try Backend.resolve(backend)
        self.scheduler = BatchScheduler(threads: try Parallelism.resolve(threads))
    }

    /// The same parameters with another (already checked) temperature.
    func with(temperature: T) -> Configuration<T> {
        Configuration(checkedTemperature: temperature, power: power, direction: direction, backend: backend, scheduler: scheduler)
    }

    private init(
        checkedTemperature: T, power: DistancePower, direction: SortDirection, backend: Backend, scheduler: BatchScheduler
    ) {
        self.temperature = checkedTemperature
        self.power = power
        self.direction = direction
        self.backend = backend
        self.scheduler = scheduler
    }
}
