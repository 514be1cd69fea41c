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

    func testProbe_vtest_printsStreamInfoAndExitsZero() throws {
        let result = try runProcess(Fixtures.panoptes, ["probe", Fixtures.vtest.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(
            result.stdoutText,
            """
            file: \(Fixtures.vtest.path)
            container: avi
            stream: 0 (video)
            codec: msmpeg4v3 (MPEG-4 part 2 Microsoft variant version 3)
            pixel format: yuv420p
            size: 768x576
            frame rate: 10/1 (10 fps)
            time base: 1/10
            start time: 0 s
            duration: 79.5 s
            frames: 795
            bit rate: 816 kb/s

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
