import Events
import Foundation
import TestSupport
import XCTest

/// `EventSchema.json`: the same rules as the writer's, and Python's `jsonschema` as the judge of lines.
final class EventSchemaTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func schemaObject() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(EventSchema.json.utf8)) as? [String: Any])
    }

    func testSchema_requiredKeysPerType_equalEventTypeRequiredKeys() throws {
        let schema = try schemaObject()
        XCTAssertEqual(schema["$schema"] as? String, "https://json-schema.org/draft/2020-12/schema")
        XCTAssertEqual(schema["additionalProperties"] as? Bool, false)
        XCTAssertEqual(schema["required"] as? [String], EventType.commonRequiredKeys)
        var required: [String: [String]] = [:]
        for rule in try XCTUnwrap(schema["allOf"] as? [[String: Any]]) {
            let type = try XCTUnwrap(((rule["if"] as? [String: Any])?["properties"] as? [String: Any])?["type"]
                as? [String: Any])?["const"] as? String
            required[try XCTUnwrap(type)] = (rule["then"] as? [String: Any])?["required"] as? [String]
        }
        for type in EventType.allCases {
            XCTAssertEqual(required[type.rawValue] ?? [], type.requiredKeys, type.rawValue)
        }
        let properties = try XCTUnwrap(schema["properties"] as? [String: Any])
        let everything = EventRecord(
            seq: 1, type: .runFinished, time: 1, camera: "c", frame: 0, track: 1, identity: 2, bbox: [1, 2, 3, 4],
            score: 0.5, similarity: 0.25, margin: 0.125, fromCamera: "d", gap: 2, previousIdentity: 3, reason: "r",
            wallTime: "2026-01-01T00:00:00Z", lastTime: 0.5, message: "m", pipeline: "p.yaml", cameras: ["c"])
        XCTAssertEqual(Set(properties.keys), Set(everything.presentKeys))
        let types = try XCTUnwrap((properties["type"] as? [String: Any])?["enum"] as? [String])
        XCTAssertEqual(types, EventType.allCases.map(\.rawValue))
    }

    /// The schema as `panoptes tail --schema` prints it, saved for the peer.
    private func printedSchema() throws -> URL {
        let result = try runProcess(Fixtures.panoptes, ["tail", "--schema"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, EventSchema.json + "\n")
        let url = folder.appendingPathComponent("schema.json")
        try result.stdout.write(to: url)
        return url
    }

    func testPeerJSONSchema_writtenEventsOfEveryType_allValid() throws {
        let events = folder.appendingPathComponent("events.jsonl")
        let writer = try JSONLEventWriter(path: events.path)
        for record in SampleEvents.everyType { try writer.append(record) }
        // Only the required fields, too.
        for type in EventType.allCases {
            try writer.append(Self.minimal(type))
        }
        try writer.close()
        let verdicts = try runPeer("events_jsonschema.py", [try printedSchema().path, events.path]).stdoutText
        let count = SampleEvents.everyType.count + EventType.allCases.count
        XCTAssertEqual(verdicts, (1...count).map { "\($0) ok\n" }.joined())
    }

    func testPeerJSONSchema_brokenEvents_rejectedForTheirFault() throws {
        let valid = try Self.minimal(.identityMatched).numbered(7).jsonLine()
        func edited(_ from: String, _ to: String) -> String { valid.replacingOccurrences(of: from, with: to) }
        let broken: [(String, String)] = [
            (edited(#","similarity":0.9"#, ""), #"$: 'similarity' is a required property"#),
            (edited(#""v":1,"#, #""v":1,"colour":"red","#),
             #"$: Additional properties are not allowed ('colour' was unexpected)"#),
            (edited(#""seq":7"#, #""seq":0"#), "$['seq']: 0 is less than the minimum of 1"),
            (edited(#""v":1"#, #""v":2"#), "$['v']: 1 was expected"),
            (edited(#""type":"identity_matched""#, #""type":"teleported""#),
             "$['type']: 'teleported' is not one of ["
                + EventType.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") + "]"),
            (edited(#""bbox":[1.0,2.0,3.0,4.0]"#, #""bbox":[1.0,2.0,3.0]"#), "$['bbox']: [1.0, 2.0, 3.0] is too short"),
            (edited(#""frame":5"#, #""frame":-5"#), "$['frame']: -5 is less than the minimum of 0"),
            (edited(#""time":2.5,"#, ""), "$: 'time' is a required property"),
            (edited(#""v":1,"#, #""v":1,"wall_time":"2026-11-29T04:30:00+01:00","#),
             #"$['wall_time']: '2026-11-29T04:30:00+01:00' does not match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$'"#),
        ]
        let events = folder.appendingPathComponent("broken.jsonl")
        try Data((broken.map(\.0).joined() + valid).utf8).write(to: events)
        let verdicts = try runPeer("events_jsonschema.py", [try printedSchema().path, events.path]).stdoutText
        let expected = broken.enumerated().map { "\($0.offset + 1) invalid: \($0.element.1)\n" }.joined()
            + "\(broken.count + 1) ok\n"
        XCTAssertEqual(verdicts, expected)
    }

    /// An event of `type` with only the fields its type requires.
    private static func minimal(_ type: EventType) -> EventRecord {
        var record = EventRecord(type: type, time: 2.5)
        for key in type.requiredKeys {
            switch key {
            case "camera": record.camera = "cam-a"
            case "frame": record.frame = 5
            case "track": record.track = 2
            case "bbox": record.bbox = [1, 2, 3, 4]
            case "identity": record.identity = 4
            case "similarity": record.similarity = 0.9
            case "previous_identity": record.previousIdentity = 3
            case "reason": record.reason = "because"
            case "last_time": record.lastTime = 2.4
            case "gap": record.gap = 1.5
            case "message": record.message = "decoder hiccup"
            case "cameras": record.cameras = ["cam-a"]
            default: XCTFail("no sample value for required key \(key)")
            }
        }
        return record
    }
}

extension EventRecord {
    /// The same event with `seq`.
    fileprivate func numbered(_ seq: Int) -> EventRecord {
        var copy = self
        copy.seq = seq
        return copy
    }
}
