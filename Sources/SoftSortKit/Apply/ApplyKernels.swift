/// The fused-apply kernels of one backend for one element type.
package struct ApplyKernels<T>: Sendable {
    /// The backend whose code these kernels are.
    package let backend: Backend
    /// Whether the kernels take any `p` (the C kernels: 1 and 2 only).
    let coversGeneralPower: Bool
    package let forward: @Sendable (ApplyForwardJob<T>, Range<Int>) -> Void
    package let backward: @Sendable (ApplyBackwardJob<T>, Range<Int>) -> Void
}

/// How the apply kernels cut `P` into tiles.
package enum ApplyTiling {
    /// Rows per block: a column tile is reused by this many rows.
    static let rowBlock = 32
    /// The default columns per tile: 2048 scores and values of `Float` (16 KiB
    /// for `d = 1`) stay in L1 while a block of rows runs over them.
    package static let defaultColumnTile = 2048

    /// The columns of one tile: `columnTile`, or the whole row for `0`.
    @inline(__always)
    static func tileSize(count: Int, columnTile: Int) -> Int {
        columnTile <= 0 || columnTile > count ? max(count, 1) : columnTile
    }

    /// The scratch elements one kernel call needs: two tiles (the backward's
    /// `P` and `<G_i, V_j>` of one tile; the forward uses the first).
    package static func scratchCount(count: Int, columnTile: Int) -> Int {
        2 * tileSize(count: count, columnTile: columnTile)
    }
}

extension ApplyKernels where T: VectorScalar {
    static func scalar() -> ApplyKernels<T> {
        ApplyKernels(
            backend: .scalar, coversGeneralPower: true, forward: ApplyScalarKernels.forward,
            backward: ApplyScalarKernels.backward)
    }

    static func simd() -> ApplyKernels<T> {
        ApplyKernels(
            backend: .simd, coversGeneralPower: true, forward: ApplySIMDKernels.forward,
            backward: ApplySIMDKernels.backward)
    }
}
