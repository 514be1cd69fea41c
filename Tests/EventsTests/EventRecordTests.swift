import Events
import Foundation
import XCTest

/// `EventRecord.jsonLine()` and `init(jsonLine:)`: the bytes of a line and what is refused.
final class EventRecordTests: XCTestCase {
    func testJSONLine_everyType_roundTripsToAnEqualRecord() throws {
        XCTAssertEqual(Set(SampleEvents.everyType.map(\.type)), Set(EventType.allCases))
        for record in SampleEvents.numbered {
            let line = try record.jsonLine()
            XCTAssertTrue(line.hasSuffix("}\n"), line)
            XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, line)
            XCTAssertEqual(try EventRecord(jsonLine: Array(line.utf8)), record, line)
        }
    }

    func testJSONLine_identityMatched_writesKeysInFixedOrderAsExactBytes() throws {
        var record = EventRecord(
            type: .identityMatched, time: 12.4, camera: "cam-b", frame: 124, track: 7, identity: 3,
            bbox: [300, 41.5, 38, 88], score: 0.88, similarity: 0.873, margin: 0.121, fromCamera: "cam-a", gap: 4.2,
            wallTime: "2026-11-29T03:30:12.400Z")
        record.seq = 14
        XCTAssertEqual(
            try record.jsonLine(),
            #"{"v":1,"seq":14,"type":"identity_matched","time":12.4,"camera":"cam-b","frame":124,"track":7,"#
                + #""identity":3,"bbox":[300.0,41.5,38.0,88.0],"score":0.88,"similarity":0.873,"margin":0.121,"#
                + #""from_camera":"cam-a","gap":4.2,"wall_time":"2026-11-29T03:30:12.400Z"}"# + "\n")
    }

    func testJSONLine_everyOptionalField_followsDeclarationOrder() throws {
        let record = EventRecord(
            seq: 1, type: .runFinished, time: 1, camera: "c", frame: 0, track: 1, identity: 2, bbox: [1, 2, 3, 4],
            score: 0.5, similarity: 0.25, margin: 0.125, fromCamera: "d", gap: 2, previousIdentity: 3, reason: "r",
            wallTime: "2026-01-01T00:00:00Z", lastTime: 0.5, message: "m", pipeline: "p.yaml", cameras: ["c", "d"])
        let keys = record.presentKeys
        XCTAssertEqual(keys, [
            "v", "seq", "type", "time", "camera", "frame", "track", "identity", "bbox", "score", "similarity",
            "margin", "from_camera", "gap", "previous_identity", "reason", "wall_time", "last_time", "message",
            "pipeline", "cameras",
        ])
        let line = try record.jsonLine()
        let positions = keys.map { line.range(of: "\"\($0)\":")!.lowerBound }
        XCTAssertEqual(positions, positions.sorted())
    }

    func testJSONLine_doubles_printShortestRoundTripTextEveryTime() throws {
        let times: [(Double, String)] = [
            (0.1 + 0.2, "0.30000000000000004"), (1e-7, "1e-07"), (12, "12.0"), (-0.0, "-0.0"), (1e21, "1e+21"),
            (1234.5678, "1234.5678"),
        ]
        for (time, text) in times {
            let record = EventRecord(seq: 1, type: .runResumed, time: time)
            let line = try record.jsonLine()
            XCTAssertEqual(line, #"{"v":1,"seq":1,"type":"run_resumed","time":"# + text + "}\n")
            XCTAssertEqual(try record.jsonLine(), line)
            XCTAssertEqual(try EventRecord(jsonLine: Array(line.utf8)).time.bitPattern, time.bitPattern)
        }
    }

    func testJSONLine_awkwardStrings_escapedAsJSONWants() throws {
        let record = EventRecord(
            seq: 2, type: .cameraError, time: 3, camera: "entrée/1", message: "said \"no\"\\\n\tbell:\u{7}")
        let line = try record.jsonLine()
        XCTAssertEqual(
            line,
            #"{"v":1,"seq":2,"type":"camera_error","time":3.0,"camera":"entrée/1","message":"said \"no\"\\\n\tbell:\u0007"}"#
                + "\n")
        XCTAssertEqual(try EventRecord(jsonLine: Array(line.utf8)), record)
    }

    func testJSONLine_nanScore_refusedNamingTheField() {
        let record = EventRecord(seq: 5, type: .trackStarted, time: 1, camera: "a", frame: 0, track: 1,
                                 bbox: [0, 0, 1, 1], score: .nan)
        XCTAssertThrowsError(try record.jsonLine()) { error in
            XCTAssertEqual(
                "\(error)",
                "event seq 5 (track_started): `score` is nan, which JSON cannot hold. Fix the value where the "
                    + "event is made (`panoptes tail --schema` shows what each field holds).")
        }
    }

    func testJSONLine_infiniteBBox_refused() {
        let record = EventRecord(seq: 5, type: .trackStarted, time: 1, camera: "a", frame: 0, track: 1,
                                 bbox: [0, .infinity, 1, 1])
        XCTAssertThrowsError(try record.jsonLine()) { error in
            XCTAssertEqual((error as? EventsError)?.kind, .invalidField(key: "bbox", problem: "holds inf, which JSON cannot hold"))
        }
    }

    func testJSONLine_matchWithoutSimilarity_refusedNamingKeyAndType() {
        let record = EventRecord(seq: 9, type: .identityMatched, time: 1, camera: "a", frame: 0, track: 1, identity: 4,
                                 bbox: [0, 0, 1, 1])
        XCTAssertThrowsError(try record.jsonLine()) { error in
            XCTAssertEqual(
                "\(error)",
                "event seq 9 (identity_matched): lacks `similarity`, which schema version 1 requires for "
                    + "identity_matched. Fill it in where the event is made (`panoptes tail --schema` lists each "
                    + "type's fields).")
        }
    }

    func testJSONLine_otherSchemaBreaks_refused() {
        let cases: [(EventRecord, EventsError.Kind)] = [
            (EventRecord(type: .runResumed, time: 1),
             .invalidField(key: "seq", problem: "is 0, below 1; append the event through an EventSink, which numbers it")),
            (EventRecord(seq: 1, type: .trackEnded, time: 1, camera: "a", frame: 0, track: 1, bbox: [0, 0, 1]),
             .invalidField(key: "bbox", problem: "has 3 numbers, not the 4 of [x, y, w, h]")),
            (EventRecord(seq: 1, type: .trackEnded, time: 1, camera: "a", frame: -1, track: 1, bbox: [0, 0, 1, 1]),
             .invalidField(key: "frame", problem: "is -1; frames are 0-based indices")),
            (EventRecord(seq: 1, type: .cameraUp, time: 1, camera: "", gap: 1),
             .invalidField(key: "camera", problem: "is empty; name the camera")),
            (EventRecord(seq: 1, type: .runResumed, time: 1, wallTime: "2026-11-29 03:30:00+01:00"),
             .invalidField(key: "wall_time", problem:
                "is \"2026-11-29 03:30:00+01:00\", not RFC 3339 in UTC such as 2026-11-29T03:30:00.250Z")),
            (EventRecord(seq: 1, type: .cameraDown, time: 1, camera: "a"), .missingKeys(["reason", "last_time"])),
        ]
        for (record, kind) in cases {
            XCTAssertThrowsError(try record.jsonLine(), "\(record)") { error in
                XCTAssertEqual((error as? EventsError)?.kind, kind)
            }
        }
        var future = EventRecord(seq: 1, type: .runResumed, time: 1)
        future.v = 2
        XCTAssertThrowsError(try future.jsonLine()) { error in
            XCTAssertEqual((error as? EventsError)?.kind, .unsupportedVersion(2))
        }
    }

    func testInitJSONLine_damagedLines_sayWhatIsWrong() {
        let cases: [(String, EventsError.Kind)] = [
            (#"{"v":1,"type":"run_resumed","time":1}"#, .badLine(detail: #"missing "seq""#)),
            (#"{"v":1,"seq":"x","type":"run_resumed","time":1}"#, .badLine(detail: #""seq" is not of type Int"#)),
            (#"{"v":1,"seq":1,"type":"run_resumed","time":"soon"}"#, .badLine(detail: #""time" is not a number"#)),
            (#"{"v":1,"seq":1,"type":"run_res"#, .badLine(detail: "not valid JSON")),
            (#"{"v":2,"seq":1,"type":"teleported","when":1}"#, .unsupportedVersion(2)),
        ]
        for (line, kind) in cases {
            XCTAssertThrowsError(try EventRecord(jsonLine: Array(line.utf8)), line) { error in
                XCTAssertEqual((error as? EventsError)?.kind, kind, line)
            }
        }
    }
}
