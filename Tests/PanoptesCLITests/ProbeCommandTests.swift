import Foundation
import TestSupport
import XCTest

/// `panoptes probe` end to end: the text a user sees, the exit codes, and `--framemd5` against ffmpeg.
final class ProbeCommandTests: XCTestCase {
    private func ffmpegFrameMD5Lines(_ arguments: [String]) throws -> [String] {
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/ffmpeg"),
            ["-nostdin", "-v", "error"] + arguments + ["-pix_fmt", "rgb24", "-f", "framemd5", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return result.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    /// ffprobe's view of `path`: the first video stream's fields and the container's, as strings.
    private func ffprobe(_ path: String) throws -> (stream: [String: Any], format: [String: Any]) {
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/ffprobe"),
            ["-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=codec_name,codec_long_name,pix_fmt,width,height,r_frame_rate,time_base,duration,nb_frames,bit_rate"
                + ":format=format_name,start_time,duration,bit_rate",
             "-of", "json", path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let stream = try XCTUnwrap((object["streams"] as? [[String: Any]])?.first, result.stdoutText)
        return (stream, try XCTUnwrap(object["format"] as? [String: Any]))
    }

    /// "79.500000" as probe prints it: at most `places` decimals, trailing zeros dropped.
    private func decimal(_ text: String, places: Int = 6) throws -> String {
        var digits = String(format: "%.\(places)f", try XCTUnwrap(Double(text), text))
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.hasSuffix(".") { digits.removeLast() }
        return digits
    }

    /// Every line against ffprobe in the same run: duration and bit rate are the stream's, else the
    /// container's (as probe documents), the frame count the stream's declared one.
    func testProbe_vtest_printsWhatFFprobeReportsAndExitsZero() throws {
        let result = try runProcess(Fixtures.panoptes, ["probe", Fixtures.vtest.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let (stream, format) = try ffprobe(Fixtures.vtest.path)
        func field(_ key: String) -> String? {
            (stream[key] as? String).flatMap { $0 == "N/A" ? nil : $0 } ?? (format[key] as? String)
        }
        let rate = try XCTUnwrap(stream["r_frame_rate"] as? String)
        let rateParts = rate.split(separator: "/").compactMap { Double($0) }
        let bitRate = try XCTUnwrap(field("bit_rate").flatMap { Int($0) })
        XCTAssertEqual(
            result.stdoutText,
            """
            file: \(Fixtures.vtest.path)
            container: \(format["format_name"] as? String ?? "?")
            stream: 0 (video)
            codec: \(stream["codec_name"] as? String ?? "?") (\(stream["codec_long_name"] as? String ?? "?"))
            pixel format: \(stream["pix_fmt"] as? String ?? "?")
            size: \(stream["width"] as? Int ?? 0)x\(stream["height"] as? Int ?? 0)
            frame rate: \(rate) (\(try decimal(String(rateParts[0] / rateParts[1]), places: 3)) fps)
            time base: \(stream["time_base"] as? String ?? "?")
            start time: \(try decimal(try XCTUnwrap(format["start_time"] as? String))) s
            duration: \(try decimal(try XCTUnwrap(field("duration")))) s
            frames: \(stream["nb_frames"] as? String ?? "?")
            bit rate: \(bitRate / 1000) kb/s

            """)
    }

    func testProbeFramemd5_vtest_nonHeaderLinesEqualFFmpeg() throws {
        let result = try runProcess(Fixtures.panoptes, ["probe", Fixtures.vtest.path, "--framemd5"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "#format: frame checksums")
        XCTAssertTrue(lines.contains("#tb 0: 1/10"))
        XCTAssertTrue(lines.contains("#dimensions 0: 768x576"))
        let body = lines.filter { !$0.hasPrefix("#") }
        XCTAssertEqual(body.count, 795)
        XCTAssertEqual(body, try ffmpegFrameMD5Lines(["-i", Fixtures.vtest.path]))
        XCTAssertEqual(
            result.stderrText, "decoded 795 frames; 0 damaged packets skipped; 0 frames concealed by the decoder\n")
    }

    func testProbeFramemd5_megamindBuggyTwoThreads_equalsFFmpegAtTwoThreads() throws {
        let path = Fixtures.megamindBuggy.path
        let result = try runProcess(Fixtures.panoptes, ["probe", path, "--framemd5", "--threads", "2"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let body = result.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        XCTAssertEqual(body, try ffmpegFrameMD5Lines(["-threads", "2", "-i", path]))
    }

    func testProbe_missingFile_exitsOneNamingThePath() throws {
        let path = "/nonexistent/panoptes/clip.avi"
        let result = try runProcess(Fixtures.panoptes, ["probe", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdoutText, "")
        XCTAssertEqual(
            result.stderrText,
            "error: cannot open '\(path)': No such file or directory. Check the path; the file does not exist\n")
    }

    func testProbe_textFile_exitsOneWithFFmpegMessage() throws {
        let path = Fixtures.repoRoot.appendingPathComponent("Package.swift").path
        let result = try runProcess(Fixtures.panoptes, ["probe", path, "--framemd5"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdoutText, "")
        XCTAssertEqual(
            result.stderrText,
            "error: cannot open '\(path)': Invalid data found when processing input. "
                + "Check that it is a video file or stream FFmpeg can read (try `ffprobe \(path)`)\n")
    }

    func testProbe_noFile_exitsTwoWithUsage() throws {
        let result = try runProcess(Fixtures.panoptes, ["probe"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("Missing expected argument '<file>'"), result.stderrText)
    }

    func testProbe_negativeThreads_exitsTwoSayingWhatToDo() throws {
        let result = try runProcess(Fixtures.panoptes, ["probe", Fixtures.vtest.path, "--threads=-1"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(
            result.stderrText.contains("--threads must be 0 (automatic) or more, got -1."), result.stderrText)
    }
}
