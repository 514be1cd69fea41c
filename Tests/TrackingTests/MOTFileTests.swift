import Foundation
import TestSupport
import XCTest
@testable import Tracking

/// Reading and writing MOTChallenge files, and what a bad file says.
final class MOTFileTests: XCTestCase {
    func testWrittenFile_readsBackTheSameRecords() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = [
            MOTRecord(frame: 1, id: 3, box: BoundingBox(x: 10.5, y: 20, w: 30.25, h: 80), confidence: 0.9),
            MOTRecord(frame: 2, id: 3, box: BoundingBox(x: 11, y: 20, w: 30, h: 80), confidence: 1, classID: 1, visibility: 0.5),
        ]
        let url = folder.appendingPathComponent("t.txt")
        try MOTFile(records: records).write(to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "1,3,10.5,20,30.25,80,0.9,-1,-1,-1\n2,3,11,20,30,80,1,1,0.5,-1\n")
        XCTAssertEqual(try MOTFile.read(url).records, records)
    }

    /// Each separator and line ending py-motmetrics reads: both read the same records from the same file.
    func testSeparatorsAndLineEndings_readAsMotmetricsReadsThem() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let texts = [
            "crlf": "1,2,3,4,5,6,1\r\n2,2,3.5,4,5,6,0.5\r\n",
            "tabs": "1\t2\t3\t4\t5\t6\t1\n2\t2\t3.5\t4\t5\t6\t0.5\n",
            "spaces": "1 2 3 4 5 6 1 -1 -1 -1\n2 2 3.5 4 5 6 0.5 -1 -1 -1\n",
            "blank-lines": "1,2,3,4,5,6,1\n\n2,2,3.5,4,5,6,0.5\n\n",
        ]
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            let url = folder.appendingPathComponent("\(name).txt")
            try Data(text.utf8).write(to: url)
            let ours = try MOTFile.read(url).records.map {
                [Double($0.frame), Double($0.id), $0.box.x, $0.box.y, $0.box.w, $0.box.h, $0.confidence]
            }
            let peer = try JSONSerialization.jsonObject(with: runPeer("tracking_mot.py", ["--rows", url.path]).stdout) as? [[Double]]
            XCTAssertEqual(ours.count, 2, name)
            XCTAssertEqual(ours, peer, name)
        }
    }

    /// ", " (comma and space) is read too, although py-motmetrics 1.4 refuses it: a hand-edited file
    /// should not fail on spacing.
    func testCommaAndSpace_isReadThoughMotmetricsRefusesIt() throws {
        let file = try MOTFile.parse("1, 2, 3, 4, 5, 6, 1\n2, 2, 3, 4, 5, 6, 1\n", path: "x.txt")
        XCTAssertEqual(file.records.map(\.frame), [1, 2])
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("comma-space.txt")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try Data("1, 2, 3, 4, 5, 6, 1\n2, 2, 3, 4, 5, 6, 1\n".utf8).write(to: url)
        XCTAssertThrowsError(try runPeer("tracking_mot.py", ["--rows", url.path])) { error in
            XCTAssertTrue("\(error)".contains("ParserError"), "\(error)")
        }
    }

    func testEmptyFile_hasNoRecords() throws {
        XCTAssertEqual(try MOTFile.parse("", path: "empty.txt").records, [])
    }

    func testBadLines_nameFileLineAndField() {
        let cases: [(String, String)] = [
            ("1,2,3,4,5,6,1\n1,2,3\n", "gt.txt:2: expected at least 7 fields frame,id,x,y,w,h,conf but found 3"),
            ("1,2,abc,4,5,6,1\n", "gt.txt:1: field 3 (x) is 'abc', not a finite number"),
            ("1,2,nan,4,5,6,1\n", "gt.txt:1: field 3 (x) is 'nan', not a finite number"),
            ("0,2,3,4,5,6,1\n", "gt.txt:1: frame 0 is not 1-based; MOTChallenge frames start at 1"),
            ("1.5,2,3,4,5,6,1\n", "gt.txt:1: field 1 (frame) is '1.5', not an integer"),
            ("4,2,3,4,5,6,1\n4,2,3,4,5,6,1\n", "gt.txt:2: id 2 appears twice in frame 4; each id may appear once per frame"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try MOTFile.parse(text, path: "gt.txt")) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    func testSkipPolicy_keepsGoodLinesAndListsBadOnes() throws {
        let file = try MOTFile.parse("1,1,3,4,5,6,1\nbroken\n2,1,3,4,5,6,1\n", path: "d.txt", onBadLine: .skip)
        XCTAssertEqual(file.records.count, 2)
        XCTAssertEqual(file.skipped.map(\.line), [2])
    }

    func testRecordOfATrackUpdate_isOneBasedWithTheTracksIdAndScore() throws {
        var tracker = CameraTracker(camera: "c", config: { var c = TrackerConfig(); c.confirmationHits = 1; return c }())
        let box = BoundingBox(x: 5, y: 6, w: 30, h: 90)
        let step = try tracker.update(frame: 0, time: 0, detections: [Detection(camera: "c", frame: 0, time: 0, box: box, score: 0.75)])
        let update = try XCTUnwrap(step.confirmedMatches.first)
        XCTAssertEqual(MOTRecord(update).line, "1,1,5,6,30,90,0.75,-1,-1,-1")
        XCTAssertEqual(MOTRecord(update, id: 42).id, 42)
    }

    func testMissingFile_saysSo() {
        XCTAssertThrowsError(try MOTFile.read(URL(fileURLWithPath: "/nonexistent/gt.txt"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/gt.txt: cannot read the file"), "\(error)")
        }
    }

    func testSuppliedVtestDetections_readAsDetectionsInsideTheirCamera() throws {
        // Samples/vtest/*.det.txt (made by make_detections.py) feed the demo: each must read cleanly,
        // and every box must lie in its 416 x 576 virtual camera (up to the 2-decimal rounding of x and
        // w) within vtest's 795 frames.
        for camera in ["left", "right"] {
            let url = Fixtures.repoRoot.appendingPathComponent("Samples/vtest/\(camera).det.txt")
            let records = try MOTFile.read(url).records
            XCTAssertGreaterThan(records.count, 1000, camera)
            for record in records {
                let box = record.box
                XCTAssertEqual(record.id, -1, "\(camera) frame \(record.frame)")
                XCTAssertTrue((1...795).contains(record.frame), "\(camera) frame \(record.frame)")
                XCTAssertTrue(
                    box.x >= 0 && box.y >= 0 && box.w > 0 && box.h > 0 && box.x + box.w <= 416.01 && box.y + box.h <= 576.01,
                    "\(camera) frame \(record.frame): \(box)")
                XCTAssertGreaterThanOrEqual(record.confidence, 1.25, "\(camera) frame \(record.frame)")
            }
        }
    }
}
