/// The kernels SoftSortKit runs for one element type, built once per type:
/// every backend's row kernels and every path's entry points, compiled for
/// that type.
///
/// `Float.kernelSet` and `Double.kernelSet` (the two `SoftSortScalar`
/// conformances) are where code is chosen by element type; the only other
/// per-type fact is `VectorScalar.avx2Kernels`, which says that `Float` has
/// C kernels and `Double` has none.
/// The value is opaque: it has no public members. A class, so that reading
/// `T.kernelSet` retains one reference, not each of its closures (a struct's
/// copy retained them all: measured about a third of a B = 1, n = 16 call).
public final class KernelSet<T: SoftSortScalar>: Sendable {
    let scalar: BackendKernels<T>
    let simd: BackendKernels<T>
    /// The AVX2+FMA C kernels, where `T` has them and this CPU runs them.
    let avx2: BackendKernels<T>?

    let dense: DenseOperations<T>
    let apply: ApplyOperations<T>
    let exact: ExactOperations<T>
    let window: WindowOperations<T>
    let sort: SortOperations<T>
    let loss: LossOperations<T>
    let gauss: GaussOperations<T>
    let gaussOutputs: GaussOutputOperations<T>
    /// `Validation.largestMagnitude` in `T`'s own vector lanes.
    let largestMagnitude: @Sendable ([T]) -> T

    init(
        scalar: BackendKernels<T>, simd: BackendKernels<T>, avx2: BackendKernels<T>?, dense: DenseOperations<T>,
        apply: ApplyOperations<T>, exact: ExactOperations<T>, window: WindowOperations<T>, sort: SortOperations<T>,
        loss: LossOperations<T>, gauss: GaussOperations<T>, gaussOutputs: GaussOutputOperations<T>,
        largestMagnitude: @escaping @Sendable ([T]) -> T
    ) {
        self.scalar = scalar
        self.simd = simd
        self.avx2 = avx2
        self.dense = dense
        self.apply = apply
        self.exact = exact
        self.window = window
        self.sort = sort
        self.loss = loss
        self.gauss = gauss
        self.gaussOutputs = gaussOutputs
        self.largestMagnitude = largestMagnitude
    }

    /// The row kernels that run when `backend` is asked for. A backend
    /// without kernels for `T` (`avx2` for `Double`) runs the `simd` ones,
    /// whose `backend` says so.
    package func kernels(for backend: Backend) -> BackendKernels<T> {
        switch backend {
        case .scalar: return scalar
        case .simd: return simd
        case .avx2: return avx2 ?? simd
        }
    }

    /// The dense row kernels for `backend` and `power` (`nil`: NeuralSort).
    /// The C kernels cover `p = 1` and `p = 2`; another `p` runs `simd`.
    func denseKernels(_ backend: Backend, power: DistancePower?) -> DenseKernels<T> {
        let chosen = kernels(for: backend).dense
        if case .general = power, !chosen.coversGeneralPower { return simd.dense }
        return chosen
    }

    /// The fused-loss kernels for `backend`, `method` and `objective`. The C
    /// table covers the SoftSort cross-entropy at `p = 1` and `p = 2` and the
    /// NeuralSort cross-entropy; any other loss runs `simd`, whose `backend` says so.
    func lossKernels(_ backend: Backend, method: DenseMethod, objective: LossObjective<T>) -> LossKernels<T> {
        let chosen = kernels(for: backend).loss
        guard !chosen.coversEverything else { return chosen }
        switch (method, objective) {
        case (.softSort(.one), .crossEntropy), (.softSort(.two), .crossEntropy), (.neuralSort, .crossEntropy):
            return chosen
        default: return simd.loss
        }
    }

    /// The fused-apply kernels for `backend` and `power`, chosen as `denseKernels`.
    func applyKernels(_ backend: Backend, power: DistancePower) -> ApplyKernels<T> {
        let chosen = kernels(for: backend).apply
        if case .general = power, !chosen.coversGeneralPower { return simd.apply }
        return chosen
    }
}

/// One backend's row kernels for one element type. A class, as `KernelSet`:
/// `kernels(for:)` then hands out one reference, not a copy of its tables
/// (a copy retained and released each of their closures, about thirty).
package final class BackendKernels<T>: Sendable {
    package let dense: DenseKernels<T>
    package let apply: ApplyKernels<T>
    package let loss: LossKernels<T>
    /// Batch rows the exact scans run in lockstep (1: one row at a time).
    let scanLanes: Int
    /// The backend whose code the exact scans run (`.scalar` or `.simd`).
    let scanBackend: Backend

    init(dense: DenseKernels<T>, apply: ApplyKernels<T>, loss: LossKernels<T>, scanLanes: Int, scanBackend: Backend) {
        self.dense = dense
        self.apply = apply
        self.loss = loss
        self.scanLanes = scanLanes
        self.scanBackend = scanBackend
    }
}

extension KernelSet where T: ScanScalar {
    /// Every table for `T`; `avx2` is the C kernels' tables (from
    /// `VectorScalar.avx2Kernels`), where there are any.
    static func make() -> KernelSet<T> {
        let simd = BackendKernels<T>(
            dense: .simd(), apply: .simd(), loss: .simd(), scanLanes: T.BatchLanes.laneCount, scanBackend: .simd)
        let avx2 = T.avx2Kernels.map { tables in
            BackendKernels<T>(
                dense: tables.dense, apply: tables.apply, loss: tables.loss, scanLanes: simd.scanLanes, scanBackend: .simd)
        }
        return KernelSet(
            scalar: BackendKernels(dense: .scalar(), apply: .scalar(), loss: .scalar(), scanLanes: 1, scanBackend: .scalar),
            simd: simd, avx2: avx2, dense: .make(), apply: .make(), exact: .make(), window: .make(),
            sort: .make(), loss: .make(), gauss: .make(), gaussOutputs: .make(),
            largestMagnitude: { Validation.largestVectorMagnitude($0) })
    }
}

/// The C kernels' tables for one element type.
struct AVX2KernelTables<T>: Sendable {
    let dense: DenseKernels<T>
    let apply: ApplyKernels<T>
    let loss: LossKernels<T>
}

/// Built on first use (Swift globals are initialized lazily and once).
let floatKernelSet = KernelSet<Float>.make()
let doubleKernelSet = KernelSet<Double>.make()
