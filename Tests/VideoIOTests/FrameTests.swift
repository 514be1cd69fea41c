import Foundation
import TestSupport
import XCTest
@testable import VideoIO

/// `Frame` and `FrameRegion`: layout, copy on write, and crops that copy nothing.
final class FrameTests: XCTestCase {
    /// A 7 x 5 frame whose pixel (x, y) is (x, y, x + 10 y).
    private func numbered() throws -> Frame {
        var pixels: [UInt8] = []
        for y in 0..<5 { for x in 0..<7 { pixels += [UInt8(x), UInt8(y), UInt8(x + 10 * y)] } }
        return try Frame(width: 7, height: 5, pixels: pixels, index: 3, time: 0.3)
    }

    func testInitPixels_packedInput_keepsValuesAndAlignsRows() throws {
        let frame = try numbered()
        XCTAssertGreaterThanOrEqual(frame.rowStride, 21)
        XCTAssertEqual(frame.rowStride % 32, 0)
        XCTAssertTrue(frame.pixel(x: 6, y: 4) == (6, 4, 46))
        XCTAssertEqual(frame.packedPixels().count, 7 * 5 * 3)
        XCTAssertEqual(Array(frame.packedPixels().suffix(3)), [6, 4, 46])
    }

    func testInitPixels_tooFewBytes_throwsInvalidArgument() {
        XCTAssertThrowsError(try Frame(width: 4, height: 4, pixels: [UInt8](repeating: 0, count: 47))) {
            XCTAssertEqual(($0 as? VideoError)?.kind, .invalidArgument)
        }
    }

    func testRegion_pointsIntoTheFramesPixels_noCopy() throws {
        let frame = try numbered()
        let region = frame.region(x: 2, y: 1, width: 3, height: 2)
        let framePointer = frame.withUnsafePixels { base, _, _, _ in base }
        region.withUnsafePixels { base, width, height, stride in
            XCTAssertEqual(base, framePointer + 1 * frame.rowStride + 3 * 2)
            XCTAssertEqual([width, height, stride], [3, 2, frame.rowStride])
            XCTAssertEqual([base[0], base[1], base[2]], [2, 1, 12])
        }
        let copy = region.makeFrame()
        XCTAssertEqual(copy.packedPixels(), [2, 1, 12, 3, 1, 13, 4, 1, 14, 2, 2, 22, 3, 2, 23, 4, 2, 24])
        XCTAssertEqual(copy.index, 3)
    }

    func testClampedRegion_boxStickingOut_isCutToTheFrame() throws {
        let frame = try numbered()
        let region = try XCTUnwrap(frame.clampedRegion(x: -2, y: 3, width: 5, height: 10))
        XCTAssertEqual([region.x, region.y, region.width, region.height], [0, 3, 3, 2])
        XCTAssertNil(frame.clampedRegion(x: 7, y: 0, width: 3, height: 3))
    }

    func testMutation_sharedPixels_copiesBeforeWriting() throws {
        let original = try numbered()
        var edited = original
        edited.withUnsafeMutablePixels { base, _, _, _ in base[0] = 200 }
        XCTAssertEqual(original.pixel(x: 0, y: 0).red, 0)
        XCTAssertEqual(edited.pixel(x: 0, y: 0).red, 200)
    }

    func testMD5_hashesPackedRowsWithoutPadding() throws {
        // The peer: `md5sum` over the 105 packed bytes written to a file.
        let frame = try numbered()
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pixels.raw")
        try Data(frame.packedPixels()).write(to: file)
        let tool = try runProcess(URL(fileURLWithPath: "/usr/bin/md5sum"), [file.path])
        XCTAssertEqual(frame.md5(), String(tool.stdoutText.prefix(32)))
    }
}
