/// Vector loads, stores and the small reductions every Swift SIMD kernel
/// shares: unaligned loads of one `T.Vector`, two-accumulator dot products,
/// scaled accumulation.
enum SIMDMemory {
    /// `T.Vector.scalarCount` elements from `base + offset`, unaligned.
    @inline(__always)
    static func load<T: VectorScalar>(_ base: UnsafePointer<T>, _ offset: Int) -> T.Vector {
        UnsafeRawPointer(base + offset).loadUnaligned(as: T.Vector.self)
    }

    @inline(__always)
    static func load<T: VectorScalar>(_ base: UnsafeMutablePointer<T>, _ offset: Int) -> T.Vector {
        load(UnsafePointer(base), offset)
    }

    /// Writes `value` at `base + offset`, unaligned.
    @inline(__always)
    static func store<T: VectorScalar>(_ value: T.Vector, _ base: UnsafeMutablePointer<T>, _ offset: Int) {
        UnsafeMutableRawPointer(base + offset).storeBytes(of: value, as: T.Vector.self)
    }

    /// `row[j] *= factor` for `j < n`.
    @inline(__always)
    static func scale<T: VectorScalar>(_ row: UnsafeMutablePointer<T>, _ n: Int, by factor: T) {
        let width = T.Vector.scalarCount
        let f = T.Vector(repeating: factor)
        var j = 0
        while j + width <= n {
            store(load(row, j) * f, row, j)
            j += width
        }
        while j < n {
            row[j] *= factor
            j += 1
        }
    }

    /// `<a, b>` over `n` elements, two vector accumulators.
    @inline(__always)
    static func dot<T: VectorScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ n: Int) -> T {
        let width = T.Vector.scalarCount
        var acc0 = T.Vector.zero, acc1 = T.Vector.zero
        var j = 0
        while j + 2 * width <= n {
            acc0 += load(a, j) * load(b, j)
            acc1 += load(a, j + width) * load(b, j + width)
            j += 2 * width
        }
        if j + width <= n {
            acc0 += load(a, j) * load(b, j)
            j += width
        }
        var total = (acc0 + acc1).sum()
        while j < n {
            total += a[j] * b[j]
            j += 1
        }
        return total
    }

    @inline(__always)
    static func dot<T: VectorScalar>(_ a: UnsafeMutablePointer<T>, _ b: UnsafePointer<T>, _ n: Int) -> T {
        dot(UnsafePointer(a), b, n)
    }

    /// `target[j] += factor * source[j]` for `j < count`.
    @inline(__always)
    static func accumulate<T: VectorScalar>(
        _ target: UnsafeMutablePointer<T>, _ source: UnsafePointer<T>, _ factor: T, _ count: Int
    ) {
        let width = T.Vector.scalarCount
        let f = T.Vector(repeating: factor)
        var j = 0
        while j + width <= count {
            store(load(target, j) + f * load(source, j), target, j)
            j += width
        }
        while j < count {
            target[j] += factor * source[j]
            j += 1
        }
    }

    @inline(__always)
    static func accumulate<T: VectorScalar>(
        _ target: UnsafeMutablePointer<T>, _ source: UnsafeMutablePointer<T>, _ factor: T, _ count: Int
    ) {
        accumulate(target, UnsafePointer(source), factor, count)
    }
}
