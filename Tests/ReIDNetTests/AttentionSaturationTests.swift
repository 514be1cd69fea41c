import Foundation
import ReIDNet
import TestSupport
import VideoIO
import XCTest

/// PFSA.md's measured fact, checked on real crops: the paper's softmax attention collapses onto one
/// position of MobileNetV2's last map, the official normalized attention stays spread out.
final class AttentionSaturationTests: XCTestCase {
    func testSoftmaxSaturates_normalizedDoesNot_onRealCrops() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = dir.appendingPathComponent("frame.png")
        let ffmpeg = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", Fixtures.vtest.path, "-vf", "select=eq(n\\,200)", "-frames:v", "1", "-y", png.path,
        ])
        XCTAssertEqual(ffmpeg.status, 0, ffmpeg.stderrText)
        let frame = try ImageDecoder.decode(path: png.path)
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: WeightsLoader.load(Fixtures.mobilenetWeights))
        let pre = CropPreprocessor(height: 256, width: 128)
        let boxes: [CropBox] = (0..<6).map { (i: Int) -> CropBox in
            let x = Double(60 + 110 * i), y = Double(120 + 20 * (i % 3))
            return CropBox(x: x, y: y, width: 60, height: 150)
        }
        var inputs = [Float](repeating: 0, count: boxes.count * pre.inputCount)
        try frame.withUnsafePixels { p, w, h, s in
            try inputs.withUnsafeMutableBufferPointer { out in
                try pre.prepare(count: boxes.count, into: out.baseAddress!) { i, write in try write(p, w, h, s, boxes[i]) }
            }
        }
        let result = try model.embed(inputs, count: boxes.count, poolings: [.softmax, .normalized])
        print("softmax peaks \(result[0].attentionPeaks), normalized peaks \(result[1].attentionPeaks)")
        XCTAssertEqual(result[0].saturatedCount, boxes.count, "softmax peaks \(result[0].attentionPeaks)")
        XCTAssertEqual(result[1].saturatedCount, 0)
        XCTAssertLessThan(result[1].attentionPeaks.max()!, 0.2)
    }
}
