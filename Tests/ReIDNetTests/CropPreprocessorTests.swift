import Foundation
import ReIDNet
import SeededRandom
import TestSupport
import VideoIO
import XCTest

/// Crops of real vtest.avi frames, resized by Panoptes and by Pillow (the official pipeline's PIL
/// bilinear resize), compared value for value.
final class CropPreprocessorTests: XCTestCase {
    /// Frame `index` of vtest.avi as a PNG written by the ffmpeg CLI.
    func framePNG(_ index: Int, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("frame\(index).png")
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", Fixtures.vtest.path, "-vf", "select=eq(n\\,\(index))", "-frames:v", "1", "-y", url.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return url
    }

    func testResize_realCrops_equalPillowBilinearExactly() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Upscaled person-sized boxes, shrunk large boxes (antialiased), a box cut by the border,
        // and the whole frame.
        let boxes: [(Int, Int, Int, Int)] = [
            (100, 200, 160, 350), (383, 121, 425, 222), (300, 100, 500, 500), (700, 480, 768, 576), (0, 0, 768, 576),
            (5, 7, 6, 300),
        ]
        for frameIndex in [40, 500] {
            let png = try framePNG(frameIndex, in: dir)
            for (height, width) in [(256, 128), (384, 128)] {
                let prefix = dir.appendingPathComponent("pil\(frameIndex)_\(height)").path
                try runPeer("engine_pillow.py", [png.path, "\(height)", "\(width)", prefix]
                    + boxes.map { "\($0.0),\($0.1),\($0.2),\($0.3)" })
                let pillowPixels = try NumpyArray(contentsOf: URL(fileURLWithPath: prefix + "_pixels.npy"))
                let pillowInput = try NumpyArray(contentsOf: URL(fileURLWithPath: prefix + "_input.npy"))
                XCTAssertEqual(pillowPixels.shape, [boxes.count, height, width, 3])
                let frame = try ImageDecoder.decode(path: png.path)
                let pre = CropPreprocessor(height: height, width: width)
                let cropBoxes = boxes.map { CropBox(x: Double($0.0), y: Double($0.1), width: Double($0.2 - $0.0), height: Double($0.3 - $0.1)) }
                // The pixels crop by crop, the normalised input the way the embedder prepares a batch.
                var ourInput = [Float](repeating: 0, count: boxes.count * pre.inputCount)
                var ourPixels: [UInt8] = []
                try frame.withUnsafePixels { pointer, w, h, stride in
                    for box in cropBoxes { ourPixels += try pre.resizedPixels(pointer, width: w, height: h, rowStride: stride, box: box) }
                    try ourInput.withUnsafeMutableBufferPointer { out in
                        try pre.prepare(count: cropBoxes.count, into: out.baseAddress!) { i, write in
                            try write(pointer, w, h, stride, cropBoxes[i])
                        }
                    }
                }
                let differing = zip(ourPixels, pillowPixels.values).filter { Float($0) != $1 }.count
                let maxDiff = zip(ourPixels, pillowPixels.values).map { abs(Float($0) - $1) }.max() ?? 0
                XCTAssertEqual(differing, 0, "frame \(frameIndex) \(height)x\(width): \(differing) values differ, max \(maxDiff)")
                let inputDiff = zip(ourInput, pillowInput.values).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThanOrEqual(inputDiff, 1e-6, "normalised input differs by \(inputDiff)")
                print("resize vs Pillow, frame \(frameIndex), \(height)x\(width): \(differing) of \(ourPixels.count) bytes differ; normalised max diff \(inputDiff)")
            }
        }
    }

    /// One bad box among a batch (Pillow judges the good ones above): its error is reported, and every
    /// other crop is written exactly as in a batch without it.
    func testPrepare_badBoxAmongOthers_isReportedAndTheOthersAreStillWritten() throws {
        let (w, h) = (97, 61)
        var rng = SplitMix64(seed: 5)
        let pixels = (0..<(w * h * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var good: [CropBox] = []
        for i in 0..<10 {
            let (x, y) = (Double(3 * i), Double(i))
            good.append(CropBox(x: x, y: y, width: Double(20 + 5 * i), height: Double(30 + 2 * i)))
        }
        let withBad = Array(good[..<7]) + [CropBox(x: 200, y: 0, width: 5, height: 5)] + Array(good[7...])
        let pre = CropPreprocessor(height: 64, width: 32)
        func prepare(_ boxes: [CropBox], into out: inout [Float]) throws {
            try pixels.withUnsafeBufferPointer { p in
                try out.withUnsafeMutableBufferPointer { out in
                    try pre.prepare(count: boxes.count, into: out.baseAddress!) { i, write in
                        try write(p.baseAddress!, w, h, w * 3, boxes[i])
                    }
                }
            }
        }
        let n = pre.inputCount
        var expected = [Float](repeating: -1, count: good.count * n)
        try prepare(good, into: &expected)
        var shared = [Float](repeating: -1, count: withBad.count * n)
        XCTAssertThrowsError(try prepare(withBad, into: &shared)) { error in
            XCTAssertEqual("\(error)", "box x=200.0 y=0.0 w=5.0 h=5.0 lies outside the 97x61 image; check the detections' coordinates")
        }
        XCTAssertEqual(Array(shared[..<(7 * n)]), Array(expected[..<(7 * n)]))
        XCTAssertEqual(Array(shared[(8 * n)...]), Array(expected[(7 * n)...]))
        XCTAssertTrue(shared[(7 * n)..<(8 * n)].allSatisfy { $0 == -1 }, "the bad box's slot is left as it was")
    }

    func testBoxOutsideImage_isAClearError() throws {
        let pixels = [UInt8](repeating: 128, count: 10 * 8 * 3)
        let pre = CropPreprocessor(height: 256, width: 128)
        XCTAssertThrowsError(try pixels.withUnsafeBufferPointer {
            try pre.resizedPixels($0.baseAddress!, width: 10, height: 8, rowStride: 30, box: CropBox(x: 20, y: 0, width: 5, height: 5))
        }) { error in
            XCTAssertEqual("\(error)", "box x=20.0 y=0.0 w=5.0 h=5.0 lies outside the 10x8 image; check the detections' coordinates")
        }
    }

    func testBoxClipping_roundsAndClips() {
        let box = CropBox(x: -3.4, y: 2.6, width: 10, height: 100)
        XCTAssertTrue(box.clipped(frameWidth: 5, frameHeight: 50)! == (0, 3, 5, 50))
        XCTAssertNil(CropBox(x: .nan, y: 0, width: 1, height: 1).clipped(frameWidth: 5, frameHeight: 5))
    }
}
