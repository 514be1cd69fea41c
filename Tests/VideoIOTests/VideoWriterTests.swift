import Foundation
import TestSupport
import XCTest
@testable import VideoIO

/// `VideoWriter` checked against ffprobe (container facts) and the ffmpeg CLI's decode (pixels).
final class VideoWriterTests: XCTestCase {
    /// A moving scene with smooth gradients and a sharp-edged box, so the codec has real work.
    static func scene(width: Int, height: Int, index: Int) -> Frame {
        var frame = Frame(width: width, height: height, index: index)
        frame.withUnsafeMutablePixels { base, width, height, stride in
            for y in 0..<height {
                let row = base + y * stride
                for x in 0..<width {
                    row[3 * x] = UInt8((x * 255 / width + index * 3) & 255)
                    row[3 * x + 1] = UInt8((y * 255 / height) & 255)
                    row[3 * x + 2] = UInt8(((x + y) / 2 + index) & 255)
                }
            }
            let left = (index * 4) % (width - 40), top = height / 3
            for y in top..<(top + 32) {
                for x in left..<(left + 32) {
                    (base + y * stride + 3 * x).update(repeating: 250, count: 3)
                }
            }
        }
        return frame
    }

    private func writeAndCheck(codec: VideoWriter.Codec, fileName: String, expectedCodec: String) throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(fileName).path
        let (width, height, count) = (320, 240, 30)
        let writer = try VideoWriter(
            path: path, width: width, height: height, frameRate: Rational(15, 1), options: .init(codec: codec))
        var written: [[UInt8]] = []
        for i in 0..<count {
            let frame = Self.scene(width: width, height: height, index: i)
            written.append(frame.packedPixels())
            try writer.append(frame)
        }
        try writer.finish()
        XCTAssertEqual(writer.framesWritten, count)

        let probe = try PeerCLI.ffprobe([
            "-select_streams", "v:0", "-count_frames", "-show_entries",
            "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "default=nw=1", path,
        ])
        XCTAssertTrue(probe.contains("codec_name=\(expectedCodec)\n"), probe)
        XCTAssertTrue(probe.contains("width=\(width)\n"), probe)
        XCTAssertTrue(probe.contains("height=\(height)\n"), probe)
        XCTAssertTrue(probe.contains("r_frame_rate=15/1\n"), probe)
        XCTAssertTrue(probe.contains("nb_read_frames=\(count)\n"), probe)

        let decoded = [UInt8](try PeerCLI.rawRGB(path))
        XCTAssertEqual(decoded.count, count * width * height * 3)
        let frameBytes = width * height * 3
        for i in 0..<count {
            let value = psnr(Array(decoded[(i * frameBytes)..<((i + 1) * frameBytes)]), written[i])
            XCTAssertGreaterThanOrEqual(value, 30, "frame \(i) PSNR \(value) dB")
        }
    }

    func testAppend_h264MP4_ffprobeAgreesAndPSNRAtLeast30dB() throws {
        try writeAndCheck(codec: .automatic, fileName: "clip.mp4", expectedCodec: "h264")
    }

    func testAppend_mpeg4AVI_ffprobeAgreesAndPSNRAtLeast30dB() throws {
        try writeAndCheck(codec: .mpeg4, fileName: "clip.avi", expectedCodec: "mpeg4")
    }

    func testInit_oddSize_throwsInvalidArgumentNamingThePath() throws {
        XCTAssertThrowsError(try VideoWriter(path: "/tmp/odd.mp4", width: 321, height: 240, frameRate: Rational(25, 1))) {
            let error = $0 as? VideoError
            XCTAssertEqual(error?.kind, .invalidArgument)
            XCTAssertEqual(
                error?.description,
                "cannot write 321x240 video to '/tmp/odd.mp4'. Width and height must be positive and even (frames are encoded as 4:2:0)")
        }
    }

    func testInit_missingFolder_throwsWriteFailedWithFFmpegMessage() throws {
        let path = "/nonexistent-folder-panoptes/clip.mp4"
        XCTAssertThrowsError(try VideoWriter(path: path, width: 64, height: 48, frameRate: Rational(25, 1))) {
            let error = $0 as? VideoError
            XCTAssertEqual(error?.kind, .writeFailed)
            XCTAssertEqual(error?.ffmpegMessage, "No such file or directory")
            XCTAssertTrue(error?.description.contains(path) ?? false)
        }
    }

    func testAppend_wrongFrameSize_throwsInvalidArgument() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try VideoWriter(
            path: folder.appendingPathComponent("a.mkv").path, width: 64, height: 48, frameRate: Rational(25, 1))
        XCTAssertThrowsError(try writer.append(Frame(width: 32, height: 48))) {
            XCTAssertEqual(($0 as? VideoError)?.kind, .invalidArgument)
        }
        try writer.finish()
    }
}
