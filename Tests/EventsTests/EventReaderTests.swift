import Events
import Foundation
import TestSupport
import XCTest

/// `EventReader`: streaming, the torn last line, and damage in the middle.
final class EventReaderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func file(_ text: String) throws -> String {
        let url = folder.appendingPathComponent("events.jsonl")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testNext_everyType_readsRecordsBytesAndLineNumbers() throws {
        let text = try SampleEvents.jsonl()
        let (events, torn) = try EventReader.readAll(path: try file(text))
        XCTAssertNil(torn)
        XCTAssertEqual(events.map(\.record), SampleEvents.numbered)
        XCTAssertEqual(events.map(\.lineNumber), Array(1...SampleEvents.numbered.count))
        XCTAssertEqual(events.map { String(decoding: $0.bytes + [10], as: UTF8.self) }.joined(), text)
    }

    func testNext_tornLastLineWithoutNewline_skippedAndReported() throws {
        let text = try SampleEvents.jsonl() + #"{"v":1,"seq":12,"type":"run_f"#
        let (events, torn) = try EventReader.readAll(path: try file(text))
        XCTAssertEqual(events.count, 11)
        XCTAssertEqual(torn, TornLine(lineNumber: 12, byteCount: 29, hasNewline: false))
        XCTAssertEqual(
            torn?.description,
            "skipped a torn last line (29 bytes without a newline); its writer stopped mid-line")
    }

    func testNext_completeLastEventWithoutNewline_skippedAsTorn() throws {
        var text = try SampleEvents.jsonl()
        text.removeLast()
        let (events, torn) = try EventReader.readAll(path: try file(text))
        XCTAssertEqual(events.count, 10)
        XCTAssertEqual(torn?.lineNumber, 11)
        XCTAssertEqual(torn?.hasNewline, false)
    }

    func testNext_garbageLastLineWithNewline_skippedAndReported() throws {
        let text = try SampleEvents.jsonl() + "\0\0\0\0\n"
        let (events, torn) = try EventReader.readAll(path: try file(text))
        XCTAssertEqual(events.count, 11)
        XCTAssertEqual(torn, TornLine(lineNumber: 12, byteCount: 5, hasNewline: true))
    }

    func testNext_badMiddleLine_throwsNamingFileAndLine() throws {
        var lines = try SampleEvents.numbered.map { try $0.jsonLine() }
        lines[3] = #"{"v":1,"seq":4,"type":"identity_matched","time":"twelve"}"# + "\n"
        let path = try file(lines.joined())
        let reader = try EventReader(path: path)
        for _ in 0..<3 { XCTAssertNotNil(try reader.next()) }
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual(
                "\(error)",
                "\(path):4: not an event: \"time\" is not a number. The file is damaged before its end (only a "
                    + "torn last line is skipped); repair or delete this line.")
        }
    }

    func testNext_laterVersionLastLine_throwsInsteadOfSkipping() throws {
        let path = try file(try SampleEvents.jsonl() + #"{"v":2,"seq":12,"kind":"new"}"# + "\n")
        XCTAssertThrowsError(try EventReader.readAll(path: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(path):12: schema version 2; this panoptes reads and writes version 1. Read it with the panoptes "
                    + "that wrote it, or a newer one.")
        }
    }

    func testNext_linesLongerThanAReadAndAcrossReads_allDecoded() throws {
        // 64 KiB reads: lines of 3 to 150 000 bytes straddle read boundaries at every offset.
        var text = ""
        var expected: [EventRecord] = []
        for seq in 1...60 {
            let record = EventRecord(seq: seq, type: .cameraError, time: Double(seq), camera: "c",
                                     message: String(repeating: "x", count: (seq * 7919) % 150_000))
            expected.append(record)
            text += try record.jsonLine()
        }
        let (events, torn) = try EventReader.readAll(path: try file(text))
        XCTAssertNil(torn)
        XCTAssertEqual(events.map(\.record), expected)
    }

    func testInit_missingFile_throwsNamingThePath() {
        let path = folder.appendingPathComponent("absent.jsonl").path
        XCTAssertThrowsError(try EventReader(path: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(path): cannot open for reading: No such file or directory. Check the path; a run creates the "
                    + "file when it writes its first event.")
        }
    }
}
