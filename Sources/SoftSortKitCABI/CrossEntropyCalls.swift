/// The generic body of `softsortkit_softsort_cross_entropy_*`.
enum CrossEntropyCalls<T: ABIScalar> {
    static func softSort(
        _ scores: UnsafePointer<T>?, _ targets: UnsafePointer<Int64>?, _ batch: Int64, _ count: Int64,
        _ temperature: Double, _ power: Double, _ direction: Int32, _ path: Int32, _ loss: UnsafeMutablePointer<T>?,
        _ gradScores: UnsafeMutablePointer<T>?, _ pathUsed: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        guarded { () throws(Failure) in
            let shape = try Shape(batch: batch, count: count)
            let direction = try Settings.direction(direction)
            let path = try LossPathCode.from(path)
            guard let loss else { throw .nullPointer(argument: "loss") }
            let input = try Boundary.read("scores", scores, count: shape.rows)
            let columns = try Boundary.readIndices("targets", targets, count: shape.rows)
            let result = try CrossEntropyRoute<T>.softSort(
                scores: input, targets: columns, shape: shape, temperature: temperature, power: power,
                direction: direction, path: path, gradient: gradScores)
            loss.pointee = result.value
            pathUsed?.pointee = result.path.rawValue
        }
    }
}

@_cdecl("softsortkit_softsort_cross_entropy_f32")
public func softsortkit_softsort_cross_entropy_f32(
    _ scores: UnsafePointer<Float>?, _ targets: UnsafePointer<Int64>?, _ batch: Int64, _ count: Int64,
    _ temperature: Double, _ power: Double, _ direction: Int32, _ path: Int32, _ loss: UnsafeMutablePointer<Float>?,
    _ gradScores: UnsafeMutablePointer<Float>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    CrossEntropyCalls.softSort(
        scores, targets, batch, count, temperature, power, direction, path, loss, gradScores, pathUsed)
}

@_cdecl("softsortkit_softsort_cross_entropy_f64")
public func softsortkit_softsort_cross_entropy_f64(
    _ scores: UnsafePointer<Double>?, _ targets: UnsafePointer<Int64>?, _ batch: Int64, _ count: Int64,
    _ temperature: Double, _ power: Double, _ direction: Int32, _ path: Int32, _ loss: UnsafeMutablePointer<Double>?,
    _ gradScores: UnsafeMutablePointer<Double>?, _ pathUsed: UnsafeMutablePointer<Int32>?
) -> Int32 {
    CrossEntropyCalls.softSort(
        scores, targets, batch, count, temperature, power, direction, path, loss, gradScores, pathUsed)
}
