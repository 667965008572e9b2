#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The window path's forward for a plan.
extension Plan {
    /// The first `rows` sparse rows of each batch row inside `window`.
    func windowState(_ window: SoftSortPath.Window, rows: Int) -> WindowState<T> {
        let rule: WindowRule
        switch window {
        case .ranks(let w): rule = .ranks(w)
        case .tolerance(let t):
            // In the rescaled coordinates: the radius is divided by c too.
            let p = power?.value ?? 1
            let logit = -Double(scaledConfiguration.temperature) * log(t)
            rule = .radius(p == 1 ? logit : pow(logit, 1 / p))
        }
        let kernelSet = T.kernelSet
        return kernelSet.window.forward(
            scaledScores, shape, rows, rule, scaledConfiguration,
            kernelSet.denseKernels(configuration.backend, power: power), sortKeys)
    }
}
