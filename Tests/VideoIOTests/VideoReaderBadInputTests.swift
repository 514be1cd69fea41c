import Foundation
import TestSupport
import XCTest
@testable import VideoIO

/// `VideoReader` on bad input: typed errors naming the path with FFmpeg's message for what cannot be
/// opened; for damaged footage, the same frames the ffmpeg CLI produces, with no crash or hang.
final class VideoReaderBadInputTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func assertOpenFails(
        _ path: String, kind: VideoError.Kind, ffmpegMessage: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try VideoReader(path: path), file: file, line: line) { error in
            guard let error = error as? VideoError else {
                return XCTFail("not a VideoError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, kind, file: file, line: line)
            XCTAssertEqual(error.path, path, file: file, line: line)
            XCTAssertEqual(error.ffmpegMessage, ffmpegMessage, file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix("cannot open '\(path)': \(ffmpegMessage)."), error.description,
                file: file, line: line)
        }
    }

    /// Decodes `path` to the end; returns the frames' MD5s (as the CLI would list them) and the statistics.
    private func decodeLikeCLI(_ path: String, threads: Int = 0) throws -> (lines: [String], statistics: DecodeStatistics) {
        let reader = try VideoReader(path: path, options: .init(threadCount: threads, timestamps: .bestEffort))
        var listing = FrameMD5Listing(info: reader.info)
        var lines: [String] = []
        while let frame = try reader.nextFrame() {
            if let line = listing.line(for: frame) { lines.append(line) }
        }
        return (lines, reader.statistics)
    }

    private func cliLines(_ path: String, threads: Int = 0) throws -> [String] {
        let text = try PeerCLI.ffmpeg(["-threads", String(threads), "-i", path, "-pix_fmt", "rgb24", "-f", "framemd5", "-"])
            .stdoutText
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    func testOpen_missingFile_throwsOpenFailedWithFFmpegMessage() {
        let path = folder.appendingPathComponent("no-such-video.avi").path
        assertOpenFails(path, kind: .openFailed, ffmpegMessage: "No such file or directory")
        XCTAssertThrowsError(try VideoReader(path: path)) {
            XCTAssertEqual(
                "\($0)", "cannot open '\(path)': No such file or directory. Check the path; the file does not exist")
        }
    }

    func testOpen_textFile_throwsOpenFailedWithFFmpegMessage() throws {
        let path = folder.appendingPathComponent("readme.avi").path
        try Data(String(repeating: "Panoptes watches cameras.\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        assertOpenFails(path, kind: .openFailed, ffmpegMessage: "Invalid data found when processing input")
    }

    func testOpen_randomBytes_throwsOpenFailedWithFFmpegMessage() throws {
        var generator = SeededGenerator(seed: 2024)
        for (index, name) in ["noise.bin", "noise.mp4", "noise.avi"].enumerated() {
            let bytes = (0..<(50_000 * (index + 1))).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = folder.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let cli = try runProcess(PeerCLI.ffmpegURL, ["-v", "error", "-i", path, "-f", "null", "-"])
            XCTAssertNotEqual(cli.status, 0, "the peer opened random bytes \(name)?")
            XCTAssertThrowsError(try VideoReader(path: path), name) { error in
                XCTAssertEqual((error as? VideoError)?.path, path)
                XCTAssertNotNil((error as? VideoError)?.ffmpegMessage)
            }
        }
    }

    func testNextFrame_vtestCutAtSeededRandomOffsets_sameFramesAsFFmpegCLI() throws {
        let data = try Data(contentsOf: Fixtures.vtest)
        var generator = SeededGenerator(seed: 42)
        // Offsets inside the header, the first frames and the body (several seeded picks each).
        let offsets = [Int.random(in: 64..<4096, using: &generator)]
            + (0..<2).map { _ in Int.random(in: 4096..<200_000, using: &generator) }
            + (0..<2).map { _ in Int.random(in: 200_000..<data.count, using: &generator) }
        for offset in offsets {
            let path = folder.appendingPathComponent("vtest-cut-\(offset).avi").path
            try data.prefix(offset).write(to: URL(fileURLWithPath: path))
            let cli = try runProcess(PeerCLI.ffmpegURL, ["-v", "error", "-i", path, "-pix_fmt", "rgb24", "-f", "framemd5", "-"])
            if cli.status != 0 {
                XCTAssertThrowsError(try VideoReader(path: path), "cut at \(offset): ffmpeg failed, so must we") {
                    XCTAssertEqual(($0 as? VideoError)?.kind, .openFailed)
                }
                continue
            }
            let expected = cli.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
            XCTAssertEqual(try decodeLikeCLI(path).lines, expected, "cut at \(offset)")
        }
    }

    func testNextFrame_megamindBuggy_sameFramesAsFFmpegCLI() throws {
        let result = try decodeLikeCLI(Fixtures.megamindBuggy.path)
        XCTAssertEqual(result.lines.count, 270)
        XCTAssertEqual(result.lines, try cliLines(Fixtures.megamindBuggy.path))
    }

    /// Motion JPEG with every 7th picture overwritten: the decoder rejects those packets, the reader
    /// skips and counts them and decodes the rest, exactly as the ffmpeg CLI does.
    func testNextFrame_damagedPacketsMidStream_skippedCountedAndDecodingGoesOn() throws {
        let clean = folder.appendingPathComponent("mjpeg.avi").path
        _ = try PeerCLI.ffmpeg([
            "-i", Fixtures.vtest.path, "-t", "5", "-vf", "scale=192:144", "-c:v", "mjpeg", "-q:v", "5", clean,
        ])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clean)))
        var generator = SeededGenerator(seed: 7)
        var starts: [Int] = []
        for i in 0..<(bytes.count - 1) where bytes[i] == 0xFF && bytes[i + 1] == 0xD8 { starts.append(i) }
        XCTAssertEqual(starts.count, 50)
        for (n, start) in starts.enumerated() where n % 7 == 3 {
            for k in 0..<700 { bytes[start + k] = UInt8.random(in: 0...255, using: &generator) }
        }
        let damaged = folder.appendingPathComponent("mjpeg-damaged.avi").path
        try Data(bytes).write(to: URL(fileURLWithPath: damaged))

        let result = try decodeLikeCLI(damaged)
        XCTAssertEqual(result.statistics.damagedPackets, 7)
        XCTAssertEqual(result.statistics.framesDecoded, 43)
        XCTAssertEqual(result.lines, try cliLines(damaged))
    }

    /// H.264 with runs of garbage written over it: the decoder conceals, the frames equal the CLI's.
    ///
    /// Compared single-threaded: with frame threads, FFmpeg's H.264 error concealment depends on
    /// thread timing (the ffmpeg CLI itself gives different MD5s from run to run on this file), so
    /// with threads only the frame count is compared.
    func testNextFrame_garbledH264_sameFramesAsFFmpegCLI() throws {
        let clean = folder.appendingPathComponent("clean.mkv").path
        _ = try PeerCLI.ffmpeg([
            "-i", Fixtures.vtest.path, "-t", "8", "-vf", "scale=320:240", "-c:v", "libx264", "-preset", "veryfast", clean,
        ])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clean)))
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<12 {
            let start = Int.random(in: 10_000..<(bytes.count - 1000), using: &generator)
            for k in 0..<200 { bytes[start + k] = UInt8.random(in: 0...255, using: &generator) }
        }
        let garbled = folder.appendingPathComponent("garbled.mkv").path
        try Data(bytes).write(to: URL(fileURLWithPath: garbled))
        let expected = try cliLines(garbled, threads: 1)
        XCTAssertGreaterThan(expected.count, 40)
        XCTAssertEqual(try decodeLikeCLI(garbled, threads: 1).lines, expected)
        XCTAssertEqual(try decodeLikeCLI(garbled, threads: 3).lines.count, expected.count)
    }

    func testOpen_audioOnlyFile_throwsNoVideoStream() throws {
        let path = folder.appendingPathComponent("tone.wav").path
        _ = try PeerCLI.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.2", path])
        XCTAssertThrowsError(try VideoReader(path: path)) {
            XCTAssertEqual(($0 as? VideoError)?.kind, .noVideoStream)
            XCTAssertEqual(
                "\($0)",
                "cannot find a video stream in '\(path)': Stream not found. The input holds no video stream; pass a video file")
        }
    }
}

/// Network sources that stall must not hang the reader: with a read timeout, a silent server fails
/// the open, and a server that stops mid-stream ends the frames with `.readFailed`.
final class VideoReaderStalledStreamTests: XCTestCase {
    /// Starts the peer, a Python HTTP-ish server on 127.0.0.1 that answers every connection with
    /// `prefixBytes` of `file` (none: not even headers) under a Content-Length of the whole file,
    /// then stays silent; returns the process and its port.
    private func startStallingServer(file: String?, prefixBytes: Int) throws -> (Process, Int) {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments = ["-c", """
            import os, socket, sys, time
            path, prefix = sys.argv[1], int(sys.argv[2])
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
            print(s.getsockname()[1], flush=True)
            conns, end = [], time.time() + 30
            s.settimeout(0.2)
            while time.time() < end:
                try: c = s.accept()[0]
                except socket.timeout: continue
                conns.append(c)
                if path:
                    c.recv(65536)
                    size = os.path.getsize(path)
                    head = "HTTP/1.1 200 OK\\r\\nContent-Type: video/x-msvideo\\r\\nContent-Length: %d\\r\\n\\r\\n" % size
                    c.sendall(head.encode() + open(path, "rb").read(prefix))
            """, file ?? "", String(prefixBytes)]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        var portText = ""
        while !portText.hasSuffix("\n") {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { break }
            portText += String(decoding: byte, as: UTF8.self)
        }
        guard let port = Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            server.terminate()
            XCTFail("the peer server printed no port: \(portText)")
            throw CocoaError(.fileReadUnknown)
        }
        return (server, port)
    }

    func testOpen_silentServerWithReadTimeout_throwsOpenFailedInsteadOfHanging() throws {
        let (server, port) = try startStallingServer(file: nil, prefixBytes: 0)
        defer { server.terminate(); server.waitUntilExit() }
        let url = "http://127.0.0.1:\(port)/camera.avi"
        let started = Date()
        XCTAssertThrowsError(try VideoReader(url: url, options: .init(readTimeout: 0.5))) { error in
            XCTAssertEqual((error as? VideoError)?.kind, .openFailed)
            XCTAssertEqual((error as? VideoError)?.path, url)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the reader waited far past its 0.5 s timeout")
    }

    func testNextFrame_serverStallsMidStream_framesThenReadFailed() throws {
        let (server, port) = try startStallingServer(file: Fixtures.vtest.path, prefixBytes: 400_000)
        defer { server.terminate(); server.waitUntilExit() }
        let url = "http://127.0.0.1:\(port)/vtest.avi"
        let reader = try VideoReader(url: url, options: .init(readTimeout: 0.5))
        XCTAssertEqual(reader.info.codec, "msmpeg4v3")
        var frames = 0
        let started = Date()
        do {
            while try reader.nextFrame() != nil { frames += 1 }
            XCTFail("the stream stalled, yet the reader reported a clean end after \(frames) frames")
        } catch {
            XCTAssertEqual(error.kind, .readFailed)
            XCTAssertEqual(error.path, url)
            XCTAssertNotNil(error.ffmpegMessage)
        }
        XCTAssertGreaterThan(frames, 10, "frames before the stall must still come out")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertNil(try reader.nextFrame(), "after the error the reader is finished")
    }
}
