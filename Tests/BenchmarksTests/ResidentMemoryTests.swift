import Glibc
import ProcessMetrics
import XCTest

/// The one /proc reader every benchmark and the soak test use.
final class ResidentMemoryTests: XCTestCase {
    func testCurrentAndPeak_followAnAllocationAndThePeakResets() throws {
        let before = try XCTUnwrap(ResidentMemory.currentBytes())
        XCTAssertGreaterThan(before, 1 << 20)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ResidentMemory.peakBytes()), before)
        // Map and touch 64 MiB of fresh pages: resident memory and its peak both see them. The block comes
        // from mmap, not malloc, so it cannot be memory the allocator kept from an earlier test in this
        // process (in a full-suite run a malloc'd block once showed no growth at all).
        let size = 64 << 20
        let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { throw XCTSkip("mmap of 64 MiB failed") }
        let block = mapped.bindMemory(to: UInt8.self, capacity: size)
        for i in stride(from: 0, to: size, by: 4096) { block[i] = UInt8(truncatingIfNeeded: i >> 12) | 1 }
        // Read again for up to 2 s: the kernel's counts may catch up a little after the touch.
        var during = try XCTUnwrap(ResidentMemory.currentBytes())
        for _ in 0..<40 where during - before <= 48 << 20 {
            Thread.sleep(forTimeInterval: 0.05)
            during = try XCTUnwrap(ResidentMemory.currentBytes())
        }
        XCTAssertGreaterThan(during - before, 48 << 20, "resident \(before) before the block, \(during) with it")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ResidentMemory.peakBytes()), during)
        XCTAssertEqual(block[4096], 1)
        munmap(mapped, size)
        // After the block is freed, a reset brings the peak down to about the current size.
        guard ResidentMemory.resetPeak() else { throw XCTSkip("this kernel refuses /proc/self/clear_refs") }
        let peak = try XCTUnwrap(ResidentMemory.peakBytes()), now = try XCTUnwrap(ResidentMemory.currentBytes())
        XCTAssertLessThan(peak - now, 32 << 20, "peak \(peak) after reset, current \(now)")
    }
}
