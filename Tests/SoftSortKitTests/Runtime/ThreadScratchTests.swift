import Testing
@testable import SoftSortKit

/// The scheduler's per-thread scratch: kept between calls (no allocation per
/// call in steady state), never shared by two live uses.
@Suite("Thread scratch")
struct ThreadScratchTests {
    @Test("a thread's buffer is kept and reused; it grows for a larger request")
    func kept() throws {
        let first = try #require(ThreadScratch.with(bytes: 1000) { Int(bitPattern: $0) })
        let again = ThreadScratch.with(bytes: 200) { Int(bitPattern: $0) }
        #expect(first == again)
        #expect(first % 16 == 0)
        let grown = ThreadScratch.with(bytes: 64 << 10) { buffer in
            // Every byte is writable.
            buffer.initializeMemory(as: UInt8.self, repeating: 7, count: 64 << 10)
            return Int(bitPattern: buffer)
        }
        #expect(ThreadScratch.with(bytes: 1000) { Int(bitPattern: $0) } == grown)
    }

    @Test("a nested call and a request above retainedBytes get buffers of their own")
    func separate() {
        ThreadScratch.with(bytes: 4096) { outer in
            outer.initializeMemory(as: UInt8.self, repeating: 1, count: 4096)
            let inner = ThreadScratch.with(bytes: 4096) { inner in
                inner.initializeMemory(as: UInt8.self, repeating: 2, count: 4096)
                return inner
            }
            #expect(inner != outer)
            // The nested call did not touch the outer buffer.
            #expect(UnsafeRawBufferPointer(start: outer, count: 4096).allSatisfy { $0 == 1 })
        }
        let kept = ThreadScratch.with(bytes: 16) { $0 }
        let large = ThreadScratch.with(bytes: ThreadScratch.retainedBytes + 1) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 3, count: ThreadScratch.retainedBytes + 1)
            return buffer
        }
        #expect(large != kept)
        #expect(ThreadScratch.with(bytes: 16) { $0 } == kept)
    }

    @Test("concurrent threads never share a buffer", arguments: [2, 8])
    func concurrent(threads: Int) {
        // Each item fills its scratch with its own number and reads it back.
        let items = 64, bytes = 8 << 10
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: items)
        failures.initialize(repeating: 0, count: items)
        defer { failures.deallocate() }
        BatchScheduler(threads: threads).forEach(
            RowBlocks(batch: items, count: 1, items: items), work: Int.max, scratch: bytes, of: UInt8.self
        ) { index, _, scratch in
            scratch.initialize(repeating: UInt8(index), count: bytes)
            for k in 0..<bytes where scratch[k] != UInt8(index) { failures[index] += 1 }
        }
        #expect((0..<items).allSatisfy { failures[$0] == 0 })
    }
}
