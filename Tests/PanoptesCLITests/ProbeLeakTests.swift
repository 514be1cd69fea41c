import Foundation
import TestSupport
import XCTest

/// `panoptes probe` under valgrind: no memory errors and no definitely lost bytes, on a short clip,
/// on a clip with damaged packets, and on inputs that fail to open. (A full vtest.avi decode takes
/// minutes under valgrind; that measurement is in the VideoIO report, not in CI.)
final class ProbeLeakTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `panoptes ARGS` under memcheck; memory errors and definite leaks make valgrind exit 99.
    private func assertNoLeak(
        _ arguments: [String], expectedStatus: Int32, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let valgrind = URL(fileURLWithPath: "/usr/bin/valgrind")
        guard FileManager.default.isExecutableFile(atPath: valgrind.path) else {
            return XCTFail("valgrind is missing: install it (apt-get install valgrind)", file: file, line: line)
        }
        // A copy without debug info: clang writes the C shims of swift-system and swift-subprocess as
        // DWARF 5, which Debian 12's valgrind 3.19 cannot read (it gives up before running anything).
        // Memcheck needs no debug info; its reports keep the function names (.symtab stays).
        let binary = folder.appendingPathComponent("panoptes-without-debug-info")
        if !FileManager.default.fileExists(atPath: binary.path) {
            let copy = try runProcess(URL(fileURLWithPath: "/usr/bin/objcopy"), ["--strip-debug", Fixtures.panoptes.path, binary.path])
            XCTAssertEqual(copy.status, 0, copy.stderrText, file: file, line: line)
        }
        let result = try runProcess(valgrind, [
            "--leak-check=full", "--errors-for-leak-kinds=definite", "--error-exitcode=99", binary.path,
        ] + arguments)
        let report = result.stderrText
        XCTAssertEqual(result.status, expectedStatus, "valgrind reported errors:\n\(report.suffix(3000))", file: file, line: line)
        XCTAssertTrue(report.contains("definitely lost: 0 bytes in 0 blocks") || report.contains("All heap blocks were freed"),
            report.suffix(3000).description, file: file, line: line)
    }

    func testProbeFramemd5_shortClip_noLeakNoMemoryError() throws {
        let clip = folder.appendingPathComponent("short.avi")
        try Data(contentsOf: Fixtures.vtest).prefix(250_000).write(to: clip)
        try assertNoLeak(["probe", clip.path, "--framemd5"], expectedStatus: 0)
    }

    func testProbeFramemd5_damagedPackets_noLeakNoMemoryError() throws {
        let clip = folder.appendingPathComponent("mjpeg.avi").path
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-nostdin", "-v", "error", "-i", Fixtures.vtest.path, "-frames:v", "12", "-vf", "scale=96:72",
            "-c:v", "mjpeg", clip,
        ])
        XCTAssertEqual(made.status, 0, made.stderrText)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip)))
        var starts: [Int] = []
        for i in 0..<(bytes.count - 1) where bytes[i] == 0xFF && bytes[i + 1] == 0xD8 { starts.append(i) }
        for start in starts.enumerated().filter({ $0.offset % 3 == 1 }).map(\.element) {
            for k in 0..<300 { bytes[start + k] = UInt8(truncatingIfNeeded: k &* 37 &+ 11) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: clip))
        try assertNoLeak(["probe", clip, "--framemd5"], expectedStatus: 0)
    }

    /// A text file gets past FFmpeg's allocation of the format context before probing fails: the
    /// failure path must free it (a missing file fails before anything is allocated).
    func testProbe_textFile_noLeakNoMemoryError() throws {
        let text = folder.appendingPathComponent("notes.avi")
        try Data(String(repeating: "not a video\n", count: 100).utf8).write(to: text)
        try assertNoLeak(["probe", text.path], expectedStatus: 1)
    }
}
