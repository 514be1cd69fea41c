import ProcessMetrics
import XCTest

/// The one /proc reader every benchmark and the soak test use.
final class ResidentMemoryTests: XCTestCase {
    func testCurrentAndPeak_followAnAllocationAndThePeakResets() throws {
        let before = try XCTUnwrap(ResidentMemory.currentBytes())
        XCTAssertGreaterThan(before, 1 << 20)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ResidentMemory.peakBytes()), before)
        // Touch 64 MiB: resident memory and its peak both see it.
        var block = [UInt8](repeating: 1, count: 64 << 20)
        for i in stride(from: 0, to: block.count, by: 4096) { block[i] = UInt8(truncatingIfNeeded: i) }
        // Read again for up to 2 s: in a loaded full-suite run one reading right after the touch once saw
        // no growth at all (the kernel's counts catch up; a reader that never did would still fail).
        var during = try XCTUnwrap(ResidentMemory.currentBytes())
        for _ in 0..<40 where during - before <= 48 << 20 {
            Thread.sleep(forTimeInterval: 0.05)
            during = try XCTUnwrap(ResidentMemory.currentBytes())
        }
        XCTAssertGreaterThan(during - before, 48 << 20, "resident \(before) before the block, \(during) with it")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ResidentMemory.peakBytes()), during)
        XCTAssertEqual(block[4096], 0)
        block = []
        // After the block is freed, a reset brings the peak down to about the current size.
        guard ResidentMemory.resetPeak() else { throw XCTSkip("this kernel refuses /proc/self/clear_refs") }
        let peak = try XCTUnwrap(ResidentMemory.peakBytes()), now = try XCTUnwrap(ResidentMemory.currentBytes())
        XCTAssertLessThan(peak - now, 32 << 20, "peak \(peak) after reset, current \(now)")
    }
}
