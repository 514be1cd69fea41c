import Foundation
import TestSupport
import XCTest

/// The peers VideoIO is checked against: the `ffmpeg` and `ffprobe` command-line tools.
enum PeerCLI {
    static let ffmpegURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
    static let ffprobeURL = URL(fileURLWithPath: "/usr/bin/ffprobe")

    /// Runs `ffmpeg -v error ARGS`; fails the test on a non-zero exit.
    static func ffmpeg(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try runProcess(ffmpegURL, ["-nostdin", "-hide_banner", "-v", "error"] + arguments)
        XCTAssertEqual(result.status, 0, "ffmpeg \(arguments) failed: \(result.stderrText)", file: file, line: line)
        return result
    }

    /// Runs `ffprobe -v error ARGS` and returns stdout.
    static func ffprobe(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try runProcess(ffprobeURL, ["-v", "error"] + arguments)
        XCTAssertEqual(result.status, 0, "ffprobe \(arguments) failed: \(result.stderrText)", file: file, line: line)
        return result.stdoutText
    }

    /// The non-`#` lines of `ffmpeg -i PATH -pix_fmt rgb24 -f framemd5 -`, split into fields.
    static func frameMD5s(_ path: String) throws -> [(pts: Int, size: Int, md5: String)] {
        let text = try ffmpeg(["-i", path, "-pix_fmt", "rgb24", "-f", "framemd5", "-"]).stdoutText
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return (Int(fields[2])!, Int(fields[4])!, fields[5])
        }
    }

    /// Every frame of `path` decoded by the ffmpeg CLI to packed RGB24 bytes.
    static func rawRGB(_ path: String) throws -> Data {
        try ffmpeg(["-i", path, "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]).stdout
    }
}

/// Peak signal-to-noise ratio in dB between two equally long 8-bit buffers (infinity when equal).
func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count && !a.isEmpty)
    var sum = 0.0
    for i in 0..<a.count {
        let d = Double(a[i]) - Double(b[i])
        sum += d * d
    }
    let mse = sum / Double(a.count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}
