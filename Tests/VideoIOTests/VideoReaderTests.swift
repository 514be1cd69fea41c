import Foundation
import TestSupport
import XCTest
@testable import VideoIO

/// `VideoReader` on good footage, checked against the ffmpeg CLI (pixels) and ffprobe (facts, timestamps).
final class VideoReaderTests: XCTestCase {
    private func decodeAll(_ path: String, options: VideoReader.Options = .init()) throws -> [Frame] {
        let reader = try VideoReader(path: path, options: options)
        var frames: [Frame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        return frames
    }

    func testNextFrame_vtest_everyRGB24MD5EqualsFFmpegFramemd5() throws {
        let expected = try PeerCLI.frameMD5s(Fixtures.vtest.path)
        let reader = try VideoReader(path: Fixtures.vtest.path)
        var hashes: [String] = []
        var indices: [Int] = []
        while let frame = try reader.nextFrame() {
            XCTAssertEqual([frame.width, frame.height], [768, 576])
            hashes.append(frame.md5())
            indices.append(frame.index)
        }
        XCTAssertEqual(hashes.count, 795)
        XCTAssertEqual(expected.count, 795)
        XCTAssertEqual(indices, Array(0..<795))
        XCTAssertEqual(hashes, expected.map(\.md5))
        XCTAssertEqual(reader.statistics.framesDecoded, 795)
        XCTAssertEqual(reader.statistics.damagedPackets, 0)
    }

    func testNextFrame_vtest_timesEqualFFprobePtsTime() throws {
        let expected = try PeerCLI.framePtsTimes(Fixtures.vtest.path)
        XCTAssertEqual(expected.count, 795)
        let times = try decodeAll(Fixtures.vtest.path).map(\.time)
        XCTAssertEqual(times.count, expected.count)
        for (i, (ours, theirs)) in zip(times, expected).enumerated() where abs(ours - theirs) > 5e-7 {
            XCTFail("frame \(i): time \(ours) s, ffprobe pts_time \(theirs) s")
            break
        }
    }

    func testInfo_vtest_matchesFFprobe() throws {
        let probe = try PeerCLI.ffprobe([
            "-select_streams", "v:0", "-show_entries",
            "stream=codec_name,width,height,r_frame_rate,nb_frames,pix_fmt,time_base:format=format_name,duration",
            "-of", "default=nw=1", Fixtures.vtest.path,
        ])
        let fields = Dictionary(
            uniqueKeysWithValues: probe.split(separator: "\n").map { line -> (String, String) in
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            })
        let info = try VideoReader(path: Fixtures.vtest.path).info
        XCTAssertEqual(info.codec, fields["codec_name"])
        XCTAssertEqual(String(info.width), fields["width"])
        XCTAssertEqual(String(info.height), fields["height"])
        XCTAssertEqual(info.frameRate.description, fields["r_frame_rate"])
        XCTAssertEqual(info.frameCount.map(String.init), fields["nb_frames"])
        XCTAssertEqual(info.pixelFormat, fields["pix_fmt"])
        XCTAssertEqual(info.timeBase.description, fields["time_base"])
        XCTAssertEqual(info.container, fields["format_name"])
        XCTAssertEqual(info.duration ?? -1, Double(fields["duration"] ?? "") ?? -2, accuracy: 1e-6)
    }

    /// H.264 with B-frames (decode order differs from presentation order) and a 1/1000 time base,
    /// decoded with 1 and with 3 frame threads.
    func testNextFrame_h264WithBFrames_presentationOrderAndPixelsEqualFFmpegForEachThreadCount() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bframes.mkv").path
        _ = try PeerCLI.ffmpeg([
            "-i", Fixtures.vtest.path, "-t", "6", "-vf", "scale=352:288", "-c:v", "libx264", "-preset", "veryfast",
            "-bf", "3", path,
        ])
        let expected = try PeerCLI.frameMD5s(path)
        let expectedTimes = try PeerCLI.framePtsTimes(path)
        XCTAssertEqual(expected.count, 60)
        for threads in [1, 3] {
            let frames = try decodeAll(path, options: .init(threadCount: threads))
            XCTAssertEqual(frames.map { $0.md5() }, expected.map(\.md5), "threads \(threads)")
            XCTAssertEqual(frames.count, expectedTimes.count)
            for (frame, time) in zip(frames, expectedTimes) {
                XCTAssertEqual(frame.time, time, accuracy: 5e-7, "threads \(threads), frame \(frame.index)")
            }
            XCTAssertEqual(frames.map(\.time), frames.map(\.time).sorted(), "presentation order, threads \(threads)")
        }
    }

    /// Streams tagged BT.709, full range (JPEG) and BT.2020 4:4:4 (the CLI's scale filter follows each
    /// frame's tags, and so must the reader, or every pixel shifts), and odd sizes in 4:2:0, 4:2:2 and
    /// grey (rows whose RGB24 length is no multiple of the SIMD width).
    func testNextFrame_colourTaggedAndOddSizedStreams_pixelsEqualFFmpeg() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let variants: [(String, [String])] = [
            ("bt709.mkv", ["-vf", "scale=320:240", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-c:v", "libx264"]),
            ("full-range.mkv", ["-vf", "scale=320:240:out_range=full", "-color_range", "pc", "-c:v", "libx264"]),
            ("bt2020-444.mkv", ["-vf", "scale=320:240", "-pix_fmt", "yuv444p", "-colorspace", "bt2020nc", "-c:v", "libx264"]),
            ("odd-420.mkv", ["-vf", "scale=333:251", "-c:v", "ffv1"]),
            ("odd-422.mkv", ["-vf", "scale=333:251", "-pix_fmt", "yuv422p", "-c:v", "ffv1"]),
            ("odd-gray.mkv", ["-vf", "scale=331:249,format=gray", "-c:v", "ffv1"]),
        ]
        for (name, arguments) in variants {
            let path = folder.appendingPathComponent(name).path
            _ = try PeerCLI.ffmpeg(["-i", Fixtures.vtest.path, "-t", "2"] + arguments + [path])
            let expected = try PeerCLI.frameMD5s(path).map(\.md5)
            XCTAssertEqual(expected.count, 20, name)
            XCTAssertEqual(try decodeAll(path).map { $0.md5() }, expected, name)
        }
    }

    /// A raw H.264 elementary stream carries no timestamps at all (ffprobe shows pts and
    /// best_effort_timestamp as N/A): times fall back to previous + 1 / frame rate.
    func testNextFrame_rawH264WithoutTimestamps_timesFollowTheFrameRate() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("camera.h264").path
        _ = try PeerCLI.ffmpeg(["-i", Fixtures.vtest.path, "-t", "3", "-vf", "scale=160:120", "-c:v", "libx264", "-bf", "0", path])
        XCTAssertTrue(try PeerCLI.framePtsTimes(path).allSatisfy(\.isNaN), "the peer sees timestamps after all")
        let reader = try VideoReader(path: path)
        XCTAssertEqual(reader.info.frameRate, Rational(10, 1))
        var frames: [Frame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        XCTAssertEqual(frames.count, 30)
        for frame in frames {
            XCTAssertEqual(frame.time, Double(frame.index) * 0.1, accuracy: 1e-9)
        }
        XCTAssertEqual(reader.statistics.framesWithoutTimestamp, 30)
        XCTAssertEqual(frames.map { $0.md5() }, try PeerCLI.frameMD5s(path).map(\.md5))
    }

    func testForIn_vtest_yieldsEveryFrameAndNoError() throws {
        let reader = try VideoReader(path: Fixtures.vtest.path)
        var count = 0
        for frame in reader {
            XCTAssertEqual(frame.index, count)
            count += 1
        }
        XCTAssertEqual(count, 795)
        XCTAssertNil(reader.terminalError)
    }

    func testNextFrame_callerLetGoOfTheFrame_pixelBufferIsReused() throws {
        let reader = try VideoReader(path: Fixtures.vtest.path)
        var addresses: [UInt] = []
        for _ in 0..<4 {
            let frame = try XCTUnwrap(reader.nextFrame())
            addresses.append(frame.withUnsafePixels { base, _, _, _ in UInt(bitPattern: base) })
        }
        XCTAssertEqual(Set(addresses).count, 1, "a new buffer per frame: \(addresses)")
    }

    func testNextFrame_framesKeptByCaller_keepTheirOwnPixels() throws {
        // The reader reuses a pixel buffer only when the caller let go of it: kept frames must not change.
        let reader = try VideoReader(path: Fixtures.vtest.path)
        let first = try XCTUnwrap(reader.nextFrame())
        let hash = first.md5()
        for _ in 0..<5 { _ = try reader.nextFrame() }
        XCTAssertEqual(first.md5(), hash)
        XCTAssertEqual(hash, try PeerCLI.frameMD5s(Fixtures.vtest.path).first?.md5)
    }
}
