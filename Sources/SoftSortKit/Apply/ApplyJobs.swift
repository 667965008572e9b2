/// One batch row of the fused apply `Y = P V` over a range of rows:
///
///     e_ij = exp(-|c_i - s_j|^p / tau),  Z_i = sum_j e_ij,  Y_i = sum_j e_ij V_j / Z_i
///
/// `P` is never stored: rows are taken in blocks of `ApplyTiling.rowBlock`
/// against tiles of `columnTile` columns (0: whole rows), so a tile's scores
/// and values stay in cache while the block's rows use them. `values` is `V`
/// transposed, `dimension x count` (column `k` of `V` at `values + k * count`),
/// so every column loop is contiguous. A call writes `output` (`count x
/// dimension`) and `normalizers` (`Z_i`) at its own rows only.
package struct ApplyForwardJob<T>: @unchecked Sendable {
    // @unchecked: plain pointers. A call writes only its own rows of `output`
    // and `normalizers`, so disjoint row ranges never share a write.
    package var scores: UnsafePointer<T>
    package var centres: UnsafePointer<T>
    package var values: UnsafePointer<T>
    package var output: UnsafeMutablePointer<T>
    package var normalizers: UnsafeMutablePointer<T>
    package var count: Int
    package var dimension: Int
    package var temperature: T
    package var power: DistancePower
    package var columnTile: Int
    /// `ApplyTiling.scratchCount(count:columnTile:)` elements private to the call.
    package var scratch: UnsafeMutablePointer<T>

    package init(
        scores: UnsafePointer<T>, centres: UnsafePointer<T>, values: UnsafePointer<T>, output: UnsafeMutablePointer<T>, normalizers: UnsafeMutablePointer<T>, count: Int, dimension: Int, temperature: T, power: DistancePower, columnTile: Int, scratch: UnsafeMutablePointer<T>
    ) {
        self.scores = scores
        self.centres = centres
        self.values = values
        self.output = output
        self.normalizers = normalizers
        self.count = count
        self.dimension = dimension
        self.temperature = temperature
        self.power = power
        self.columnTile = columnTile
        self.scratch = scratch
    }
}

/// The apply backward over a range of rows, given `G = dL/dY` and
/// `dot_i = <G_i, Y_i>`, with `P_ij = e_ij / Z_i` recomputed tile by tile:
///
///     D_ij                     = P_ij (<G_i, V_j> - dot_i)
///     scoreGradient[j]        += sum_i D_ij d'(c_i - s_j) / tau
///     centreGradient[i]        = -sum_j D_ij d'(c_i - s_j) / tau
///     valueGradient[k, j]     += sum_i P_ij G_ik         (transposed, d x n)
///
/// `scoreGradient` and `valueGradient` are accumulators private to the call.
package struct ApplyBackwardJob<T>: @unchecked Sendable {
    // @unchecked: plain pointers; the accumulators are private to one call and
    // `centreGradient` is written only at the call's own rows.
    package var scores: UnsafePointer<T>
    package var centres: UnsafePointer<T>
    package var values: UnsafePointer<T>
    package var normalizers: UnsafePointer<T>
    package var outputDots: UnsafePointer<T>
    package var outputGradient: UnsafePointer<T>
    package var scoreGradient: UnsafeMutablePointer<T>
    package var valueGradient: UnsafeMutablePointer<T>
    package var centreGradient: UnsafeMutablePointer<T>
    package var count: Int
    package var dimension: Int
    package var temperature: T
    package var power: DistancePower
    package var columnTile: Int
    /// `ApplyTiling.scratchCount(count:columnTile:)` elements private to the call.
    package var scratch: UnsafeMutablePointer<T>

    package init(
        scores: UnsafePointer<T>, centres: UnsafePointer<T>, values: UnsafePointer<T>, normalizers: UnsafePointer<T>, outputDots: UnsafePointer<T>, outputGradient: UnsafePointer<T>, scoreGradient: UnsafeMutablePointer<T>, valueGradient: UnsafeMutablePointer<T>, centreGradient: UnsafeMutablePointer<T>, count: Int, dimension: Int, temperature: T, power: DistancePower, columnTile: Int, scratch: UnsafeMutablePointer<T>
    ) {
        self.scores = scores
        self.centres = centres
        self.values = values
        self.normalizers = normalizers
        self.outputDots = outputDots
        self.outputGradient = outputGradient
        self.scoreGradient = scoreGradient
        self.valueGradient = valueGradient
        self.centreGradient = centreGradient
        self.count = count
        self.dimension = dimension
        self.temperature = temperature
        self.power = power
        self.columnTile = columnTile
        self.scratch = scratch
    }
}

