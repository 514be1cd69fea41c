import Foundation
import TestSupport
import XCTest

/// `panoptes run` on a live camera with supplied detections, end to end: ffmpeg streams vtest.avi in
/// real time as MPEG-TS over UDP on loopback, the test detector appends the left view's HOG boxes as
/// JSONL lines keyed by the frames' `pts` in step with it (to a file, or to a named pipe), and the run
/// tracks people in the stream: `track_started` and `identity_assigned` for the live camera, the
/// boxes counted in the summary, exit 130 and `run_finished` last on SIGINT.
final class LiveDetectionsRunTests: XCTestCase {
    private typealias Setup = LiveStreamer.Setup

    private func setUp(port: Int, fifo: Bool) throws -> Setup {
        try LiveStreamer.setUp(port: port, fifo: fifo)
    }

    /// Runs until `tracks` tracks started, then SIGINT; checks what every such run must show and
    /// returns the events and the run's stderr.
    private func runUntilTracked(_ s: Setup, tracks: Int, detector start: (Date) throws -> RunningProcess)
        throws -> (events: [RunFixtures.Event], stderr: String) {
        let streamStart = Date()
        let stream = try LiveStreamer.start(s.url)
        defer { stream.send(SIGKILL) }
        let run = try RunningProcess(Fixtures.panoptes, ["run", s.pipeline.path, "--events", s.events.path])
        defer { if run.isRunning { run.send(SIGKILL) } }
        let detector = try start(streamStart)
        defer { detector.send(SIGKILL) }
        XCTAssertTrue(run.waitUntil(file: s.events, timeout: 90) { LiveStreamer.count($0, type: "track_started") >= tracks },
                      "\(tracks) tracks started: \(run.stderrText)")
        run.send(SIGINT)
        let exit = run.waitForExit(timeout: 30)
        XCTAssertTrue(exit.exited, "it exits by itself")
        XCTAssertEqual(exit.status, 130, run.stderrText)

        let events = try RunFixtures.events(s.events)
        XCTAssertEqual(events.map(\.seq), Array(1...events.count))
        XCTAssertEqual(events.first?.type, "run_started")
        XCTAssertEqual(events.last?.type, "run_finished")
        XCTAssertEqual(events.last?.reason, "interrupted")
        let types = Set(events.map(\.type))
        XCTAssertTrue(types.isSuperset(of: ["track_started", "identity_assigned", "track_ended"]), "\(types)")
        XCTAssertFalse(types.contains("camera_error"), run.stderrText)
        XCTAssertTrue(events.filter { $0.type == "track_started" }.allSatisfy { $0.camera == "street" })
        XCTAssertTrue(events.allSatisfy { $0.wallTime != nil }, "a live run's events carry wall_time")
        XCTAssertEqual(events.map(\.time), events.map(\.time).sorted())
        XCTAssertEqual(try RunFixtures.schemaFailures(s.events, scratch: s.out).failures, [])

        // The boxes reached the tracker with their frames: the run joins the stream within its first
        // frames (the streamer starts just before it), so its N frames carry about the det.txt's boxes of
        // frames 1...N — exactly those when it caught the first frame and no line was late.
        let row = try XCTUnwrap(run.stderrText.split(separator: "\n").first { $0.hasPrefix("street ") }, run.stderrText)
            .split(separator: " ").compactMap { Int($0) }
        let (frames, boxes) = (row[0], row[1])
        XCTAssertGreaterThan(frames, 30, run.stderrText)
        let det = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("Samples/vtest/left.det.txt"), encoding: .utf8)
            .split(separator: "\n").compactMap { $0.split(separator: ",").first.flatMap { Int($0) } }
        let expected = det.filter { $0 <= frames }.count
        XCTAssertGreaterThanOrEqual(Double(boxes), Double(expected) * 0.85, "the frames got their boxes: \(run.stderrText)")
        XCTAssertLessThanOrEqual(boxes, det.filter { $0 <= frames + 20 }.count, "no frame got another's boxes: \(run.stderrText)")
        if let line = LiveStreamer.detectionsLine(run.stderrText, camera: "street") {
            let past = line.split(separator: ",").last.flatMap { $0.split(separator: " ").first }.flatMap { Int($0) } ?? 0
            XCTAssertLessThan(past, frames / 5, "most frames had their lines before detections_latency: \(line)")
        }
        print("LiveDetectionsRunTests: \(frames) frames, \(boxes) boxes (det.txt frames 1...\(frames): \(expected)), \(events.count) events; "
              + (LiveStreamer.detectionsLine(run.stderrText, camera: "street") ?? "no late or unmatched lines"))
        return (events, run.stderrText)
    }

    func testRun_detectionsAppendedToAFile_tracksPeopleInTheStreamAndEndsOnSigintWith130() throws {
        let s = try setUp(port: 20_000 + Int(getpid() % 20_000) + 11, fifo: false)
        defer { try? FileManager.default.removeItem(at: s.out) }
        _ = try runUntilTracked(s, tracks: 4) { start in
            try LiveStreamer.detector(out: s.detections, ptsOffset: s.offset, streamStart: start)
        }
    }

    func testRun_detectionsWrittenToANamedPipe_tracksPeopleInTheStream() throws {
        let s = try setUp(port: 20_000 + Int(getpid() % 20_000) + 12, fifo: true)
        defer { try? FileManager.default.removeItem(at: s.out) }
        // The detector's open of the pipe waits for the run to open its end.
        let (_, stderr) = try runUntilTracked(s, tracks: 4) { start in
            try LiveStreamer.detector(out: s.detections, ptsOffset: s.offset, streamStart: start, waitForStart: false)
        }
        XCTAssertFalse(stderr.contains("skipped a bad detection line"), stderr)
    }

    func testRun_aBadLineUnderFatal_endsTheLiveCameraWithCameraErrorNamingFileAndLine() throws {
        let port = 20_000 + Int(getpid() % 20_000) + 13
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let detections = out.appendingPathComponent("detections.jsonl")
        let url = "udp://127.0.0.1:\(port)"
        let pipeline = out.appendingPathComponent("live.yaml")
        try LiveStreamer.pipeline(pipeline, url: url, detections: detections, extra: """
            on_error:
              bad_detection_line: fatal

            """)
        let events = out.appendingPathComponent("events.jsonl")
        let stream = try LiveStreamer.start(url)
        defer { stream.send(SIGKILL) }
        let run = try RunningProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", events.path])
        defer { if run.isRunning { run.send(SIGKILL) } }
        XCTAssertTrue(run.waitUntil(timeout: 60) { _, err in err.contains("street: connected") }, run.stderrText)
        try Data("{\"pts\": 1.5}\n{\"frame\": 3, \"x\": 1, \"y\": 2, \"w\": 3, \"h\": 4}\n".utf8).write(to: detections)
        XCTAssertTrue(run.waitUntil(file: events, timeout: 30) { LiveStreamer.count($0, type: "camera_error") == 1 }, run.stderrText)
        // The only camera failed: the run ends by itself, exit 1.
        let exit = run.waitForExit(timeout: 30)
        XCTAssertEqual(exit.status, 1, run.stderrText)
        let error = try XCTUnwrap(try RunFixtures.events(events).first { $0.type == "camera_error" })
        XCTAssertEqual(error.camera, "street")
        XCTAssertEqual(error.message, "\(detections.path):2: a live camera's detection lines are keyed by `pts` (stream seconds) "
                       + "or `wall_time` (RFC 3339 UTC), not `frame` — a live stream's frames have no fixed numbers "
                       + "(on_error.bad_detection_line is fatal)")
    }
}
