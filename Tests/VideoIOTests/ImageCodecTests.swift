import Foundation
import TestSupport
import XCTest
@testable import VideoIO

/// `ImageWriter` checked by Pillow (an independent decoder) and `ImageDecoder` by the ffmpeg CLI.
final class ImageCodecTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A crop from vtest.avi's frame 100 of an odd size (61 x 127), as the eval data set uses.
    private func sampleCrop() throws -> FrameRegion {
        let reader = try VideoReader(path: Fixtures.vtest.path)
        var frame: Frame?
        for _ in 0...100 { frame = try reader.nextFrame() }
        return frame!.region(x: 301, y: 203, width: 61, height: 127)
    }

    private func decodeWithPillow(_ path: String) throws -> (width: Int, height: Int, format: String, rgb: [UInt8]) {
        let raw = folder.appendingPathComponent("pillow.raw")
        let result = try runPeer("videoio_image.py", [path, raw.path])
        let fields = result.stdoutText.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (Int(fields[0])!, Int(fields[1])!, fields[2], [UInt8](try Data(contentsOf: raw)))
    }

    func testWritePNG_pillowDecodesIdenticalPixels() throws {
        let crop = try sampleCrop()
        let path = folder.appendingPathComponent("0001_c1s1_000100_00.png").path
        try ImageWriter.write(crop, to: path)
        let peer = try decodeWithPillow(path)
        XCTAssertEqual(peer.format, "PNG")
        XCTAssertEqual([peer.width, peer.height], [61, 127])
        XCTAssertEqual(peer.rgb, crop.makeFrame().packedPixels())
    }

    func testWriteJPEG_pillowDecodesWithin30dB() throws {
        let crop = try sampleCrop()
        let path = folder.appendingPathComponent("0001_c1s1_000100_00.jpg").path
        try ImageWriter.write(crop, to: path)
        let peer = try decodeWithPillow(path)
        XCTAssertEqual(peer.format, "JPEG")
        XCTAssertEqual([peer.width, peer.height], [61, 127])
        let value = psnr(peer.rgb, crop.makeFrame().packedPixels())
        XCTAssertGreaterThanOrEqual(value, 30, "JPEG PSNR \(value) dB")
    }

    func testDecodePNGAndJPEG_equalsFFmpegCLIRawRGB() throws {
        for name in ["still.png", "still.jpg"] {
            let path = folder.appendingPathComponent(name).path
            _ = try PeerCLI.ffmpeg([
                "-i", Fixtures.vtest.path, "-vf", "select=eq(n\\,42),format=rgb24,crop=97:131:200:150", "-frames:v", "1", path,
            ])
            let frame = try ImageDecoder.decode(path: path)
            XCTAssertEqual([frame.width, frame.height], [97, 131], name)
            XCTAssertEqual(frame.packedPixels(), [UInt8](try PeerCLI.rawRGB(path)), name)
        }
    }

    /// The pixel layouts PNG and JPEG files come in, each decoded from memory (libpng, or FFmpeg's decoder
    /// without a demuxer) and compared with what the ffmpeg CLI makes of the same file through its image
    /// demuxer.
    func testDecodePNGAndJPEGPixelLayouts_equalFFmpegCLIRawRGB() throws {
        let layouts = [("gray.png", "gray"), ("rgba.png", "rgba"), ("deep.png", "rgba64be"), ("palette.png", "pal8"),
                       ("gray-alpha.png", "ya16be"), ("bits.png", "monob"), ("full.jpg", "yuvj444p"), ("half.jpg", "yuvj422p"),
                       ("limited.jpg", "yuv420p"), ("gray-alpha-8.png", "ya8"), ("deep-rgb.png", "rgb48be"), ("gray-16.png", "gray16be"),
                       ("interlaced.png", "rgb24"), ("interlaced-rgba.png", "rgba")]
        for (name, format) in layouts {
            let path = folder.appendingPathComponent(name).path
            // `+ildct` makes FFmpeg's PNG encoder write Adam7-interlaced rows.
            _ = try PeerCLI.ffmpeg([
                "-i", Fixtures.vtest.path, "-vf", "select=eq(n\\,42),format=rgb24,crop=61:127:300:200", "-frames:v", "1", "-pix_fmt", format,
            ] + (name.hasPrefix("interlaced") ? ["-flags", "+ildct"] : []) + [path])
            if name.hasPrefix("interlaced") {
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path))[28], 1, "\(name): IHDR's interlace method")
            }
            let frame = try ImageDecoder.decode(path: path)
            XCTAssertEqual([frame.width, frame.height], [61, 127], name)
            XCTAssertEqual(frame.packedPixels(), [UInt8](try PeerCLI.rawRGB(path)), name)
        }
    }

    func testDecode_textFile_throwsOpenFailedNamingThePath() throws {
        let path = folder.appendingPathComponent("notes.png").path
        try Data("this is not an image\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ImageDecoder.decode(path: path)) {
            let error = $0 as? VideoError
            XCTAssertNotNil(error)
            XCTAssertTrue(error?.description.contains(path) ?? false, "\($0)")
        }
    }

    /// A PNG whose header claims 2³² − 1 by 2³² − 1 pixels (a damaged or hostile file; the area alone
    /// overflows 64 bits) is an error naming the file, not a crash: libpng's path leaves it to FFmpeg,
    /// which refuses the size.
    func testDecode_pngClaimingAHugeSize_throwsNamingThePath() throws {
        let path = folder.appendingPathComponent("huge.png").path
        try ImageWriter.write(Frame(width: 8, height: 8), to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(bytes[12..<16]), Array("IHDR".utf8))
        bytes.replaceSubrange(16..<24, with: [UInt8](repeating: 0xFF, count: 8))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ImageDecoder.decode(path: path)) {
            XCTAssertTrue(($0 as? VideoError)?.description.contains(path) ?? false, "\($0)")
        }
    }

    func testWrite_unknownExtension_throwsInvalidArgument() throws {
        let frame = Frame(width: 8, height: 8)
        XCTAssertThrowsError(try ImageWriter.write(frame, to: folder.appendingPathComponent("x.tiff").path)) {
            XCTAssertEqual(($0 as? VideoError)?.kind, .invalidArgument)
        }
    }
}
