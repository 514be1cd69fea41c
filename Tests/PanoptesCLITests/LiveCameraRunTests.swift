import Foundation
import TestSupport
import XCTest

/// `panoptes run` on a live camera, end to end: a local ffmpeg streams vtest.avi in real time as MPEG-TS
/// over UDP on loopback, is killed mid-run and started again. The run says `camera_down` (a stall,
/// with the last frame's time) and then `camera_up` (with the gap), goes on without restarting, and a
/// SIGINT ends it with exit 130 and `run_finished` as the last line — what an operator reads in the file.
final class LiveCameraRunTests: XCTestCase {
    /// vtest.avi streamed over UDP at a quarter of its size (these tests need frames, not boxes).
    private func startStream(port: Int) throws -> RunningProcess {
        try LiveStreamer.start("udp://127.0.0.1:\(port)", scale: "384:288")
    }

    private func lines(_ data: Data, ofType type: String) -> Int {
        String(decoding: data, as: UTF8.self).split(separator: "\n").filter { $0.contains("\"type\":\"\(type)\"") }.count
    }

    func testRun_liveStreamKilledAndRestarted_goesDownComesBackAndEndsOnSigintWith130() throws {
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = 20_000 + Int(getpid() % 20_000)
        let pipeline = out.appendingPathComponent("live.yaml")
        try Data("""
            cameras:
              - id: street
                url: udp://127.0.0.1:\(port)
            model:
              weights: \(Fixtures.mobilenetWeights.path)
            stall_timeout: 3
            reconnect:
              initial: 0.2
              max: 1
            """.utf8).write(to: pipeline)
        let eventsURL = out.appendingPathComponent("events.jsonl")

        var stream = try startStream(port: port)
        let run = try RunningProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", eventsURL.path])
        defer { if run.isRunning { run.send(SIGKILL) } }
        XCTAssertTrue(run.waitUntil(timeout: 60) { _, err in err.contains("street: connected") }, run.stderrText)
        Thread.sleep(forTimeInterval: 2)  // frames flow

        // The stream dies: no frame for stall_timeout (3 s) is an outage.
        stream.send(SIGKILL)
        _ = stream.waitForExit()
        XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 30) { self.lines($0, ofType: "camera_down") == 1 }, run.stderrText)

        // It comes back: the camera reconnects by itself and says so.
        stream = try startStream(port: port)
        defer { stream.send(SIGKILL) }
        XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 30) { self.lines($0, ofType: "camera_up") == 1 }, run.stderrText)
        Thread.sleep(forTimeInterval: 1)  // frames flow again

        run.send(SIGINT)
        let exit = run.waitForExit(timeout: 30)
        XCTAssertTrue(exit.exited, "it exits by itself")
        XCTAssertEqual(exit.status, 130, run.stderrText)

        let events = try RunFixtures.events(eventsURL)
        XCTAssertEqual(events.map(\.seq), Array(1...events.count))
        XCTAssertEqual(events.map(\.type), ["run_started", "camera_down", "camera_up", "run_finished"],
                       "a camera without detections gives health events only")
        let down = events[1], up = events[2], finished = events[3]
        XCTAssertEqual(down.camera, "street")
        XCTAssertEqual(down.reason, "no frame for 3 s (stall_timeout)")
        XCTAssertGreaterThan(down.frame ?? 0, 5, "frames were read before the loss: \(run.stderrText)")
        let lastTime = try XCTUnwrap(down.lastTime)
        XCTAssertEqual(down.time - lastTime, 3, accuracy: 1.5, "declared down a stall_timeout after the last frame")
        let gap = try XCTUnwrap(up.gap)
        XCTAssertEqual(up.time - gap, lastTime, accuracy: 0.01, "the gap runs from the last frame before to the first after")
        XCTAssertGreaterThan(gap, 3)
        XCTAssertEqual(finished.reason, "interrupted")
        XCTAssertEqual(events.map(\.time), events.map(\.time).sorted(), "time rises across the reconnect")
        XCTAssertTrue(events.allSatisfy { $0.wallTime != nil }, "a live run's events carry wall_time")
        XCTAssertEqual(try RunFixtures.schemaFailures(eventsURL, scratch: out).failures, [])
        XCTAssertTrue(run.stderrText.contains("total"), "the summary is printed: \(run.stderrText)")
        print("LiveCameraRunTests: " + events.map { "\($0.type)@\(String(format: "%.2f", $0.time))"
            + ($0.reason.map { " (\($0))" } ?? "") + ($0.gap.map { String(format: " gap %.2f", $0) } ?? "") }.joined(separator: ", "))
    }

    /// Writes a live pipeline of `cameras` (id, UDP port) with the YAML lines `extra`.
    private func livePipeline(_ url: URL, cameras: [(id: String, port: Int)], extra: String) throws {
        var text = "cameras:\n"
        for c in cameras { text += "  - id: \(c.id)\n    url: udp://127.0.0.1:\(c.port)\n" }
        text += "model:\n  weights: \(Fixtures.mobilenetWeights.path)\n" + extra
        try Data(text.utf8).write(to: url)
    }

    /// The summary's frame count of camera `id` (its row in the table on stderr).
    private func summaryFrames(_ stderr: String, camera id: String) -> Int? {
        stderr.split(separator: "\n").first { $0.hasPrefix("\(id) ") }
            .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
    }

    func testRun_aLiveCameraThatNeverComesUp_givesUpWithCameraErrorWhileTheOtherGoesOn() throws {
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = 20_000 + Int(getpid() % 20_000) + 1
        let pipeline = out.appendingPathComponent("live.yaml")
        // Nothing ever streams to `dead`'s port. `street` joins its stream mid-way and needs a keyframe and
        // the stream's analysis first: 4 s leave room for that on a loaded machine (2 s once did not).
        try livePipeline(pipeline, cameras: [("street", port), ("dead", port + 1)], extra: """
            stall_timeout: 4
            reconnect:
              initial: 0.2
              max: 0.5
              give_up_after: 8
            """)
        let eventsURL = out.appendingPathComponent("events.jsonl")
        let stream = try startStream(port: port)
        defer { stream.send(SIGKILL) }
        let run = try RunningProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", eventsURL.path])
        defer { if run.isRunning { run.send(SIGKILL) } }
        XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 60) { self.lines($0, ofType: "camera_error") == 1 }, run.stderrText)
        Thread.sleep(forTimeInterval: 1)
        run.send(SIGINT)
        let exit = run.waitForExit(timeout: 30)
        XCTAssertEqual(exit.status, 130, run.stderrText)

        let events = try RunFixtures.events(eventsURL)
        XCTAssertEqual(events.map(\.type), ["run_started", "camera_down", "camera_error", "run_finished"], "\(events)")
        XCTAssertEqual(events[1].camera, "dead")
        XCTAssertEqual(events[1].reason, "no stream within 4 s of connecting (stall_timeout)")
        XCTAssertEqual(events[2].camera, "dead")
        XCTAssertEqual(events.last?.reason, "interrupted")
        XCTAssertEqual(try RunFixtures.schemaFailures(eventsURL, scratch: out).failures, [])
        // The other camera was read all along: about 10 frames a second for the whole run.
        let street = try XCTUnwrap(summaryFrames(run.stderrText, camera: "street"), run.stderrText)
        XCTAssertGreaterThan(street, Int(events.last!.time * 10 * 0.5), run.stderrText)
        XCTAssertTrue(run.stderrText.contains("gave up reconnecting after"), run.stderrText)
    }

    func testRun_aFlapShorterThanTheStallTimeout_makesNoEventPair() throws {
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = 20_000 + Int(getpid() % 20_000) + 3
        let pipeline = out.appendingPathComponent("live.yaml")
        try livePipeline(pipeline, cameras: [("street", port)], extra: "stall_timeout: 4\n")
        let eventsURL = out.appendingPathComponent("events.jsonl")
        var stream = try startStream(port: port)
        let run = try RunningProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", eventsURL.path])
        defer { if run.isRunning { run.send(SIGKILL) } }
        XCTAssertTrue(run.waitUntil(timeout: 60) { _, err in err.contains("street: connected") }, run.stderrText)
        Thread.sleep(forTimeInterval: 2)
        stream.send(SIGKILL)
        _ = stream.waitForExit()
        Thread.sleep(forTimeInterval: 1)  // well under stall_timeout
        stream = try startStream(port: port)
        defer { stream.send(SIGKILL) }
        Thread.sleep(forTimeInterval: 5)  // past stall_timeout after the flap
        run.send(SIGINT)
        XCTAssertEqual(run.waitForExit(timeout: 30).status, 130, run.stderrText)
        let types = try RunFixtures.events(eventsURL).map(\.type)
        XCTAssertEqual(types, ["run_started", "run_finished"], run.stderrText)
    }

    func testRun_httpStreamServedWithListen_killedAndRestarted_goesDownAndComesBack() throws {
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = 20_000 + Int(getpid() % 20_000) + 14
        let url = "http://127.0.0.1:\(port)"
        let pipeline = out.appendingPathComponent("live.yaml")
        try LiveStreamer.pipeline(pipeline, url: url, detections: nil, extra: """
            stall_timeout: 3
            reconnect:
              initial: 0.2
              max: 1

            """)
        let eventsURL = out.appendingPathComponent("events.jsonl")
        // ffmpeg serves one client over HTTP (`-listen 1`); the run connects to it (and retries until it listens).
        var server = try LiveStreamer.start(url)
        let run = try RunningProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", eventsURL.path])
        defer { if run.isRunning { run.send(SIGKILL) } }
        XCTAssertTrue(run.waitUntil(timeout: 60) { _, err in err.contains("street: connected") }, run.stderrText)
        Thread.sleep(forTimeInterval: 2)  // frames flow

        // The server dies: the connection ends at once, reconnecting is refused, and after stall_timeout
        // without a frame the camera is down.
        server.send(SIGKILL)
        _ = server.waitForExit()
        XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 30) { self.lines($0, ofType: "camera_down") == 1 }, run.stderrText)
        server = try LiveStreamer.start(url)
        defer { server.send(SIGKILL) }
        XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 30) { self.lines($0, ofType: "camera_up") == 1 }, run.stderrText)
        Thread.sleep(forTimeInterval: 1)  // frames flow again

        run.send(SIGINT)
        let exit = run.waitForExit(timeout: 30)
        XCTAssertTrue(exit.exited, "it exits by itself")
        XCTAssertEqual(exit.status, 130, run.stderrText)
        let events = try RunFixtures.events(eventsURL)
        XCTAssertEqual(events.map(\.type), ["run_started", "camera_down", "camera_up", "run_finished"], run.stderrText)
        let down = events[1], up = events[2]
        // A killed server's socket closes with a FIN (the stream ends) or, with bytes of ours still unread in
        // it, a reset (FFmpeg's read fails with EIO): either way the camera says why it went down.
        let reason = try XCTUnwrap(down.reason)
        XCTAssertTrue(reason == "the stream ended" || reason.hasPrefix("read failed: "),
                      "the server closed the connection, but the reason is '\(reason)': \(run.stderrText)")
        let lastTime = try XCTUnwrap(down.lastTime)
        XCTAssertEqual(down.time - lastTime, 3, accuracy: 1.5, "declared down a stall_timeout after the last frame")
        XCTAssertGreaterThan(down.frame ?? 0, 5, "frames were read before the loss")
        XCTAssertGreaterThan(try XCTUnwrap(up.gap), 3)
        XCTAssertEqual(events.last?.reason, "interrupted")
        XCTAssertEqual(try RunFixtures.schemaFailures(eventsURL, scratch: out).failures, [])
        let after = try XCTUnwrap(summaryFrames(run.stderrText, camera: "street"), run.stderrText)
        XCTAssertGreaterThan(after, (down.frame ?? 0) + 5, "frames came again after camera_up: \(run.stderrText)")
    }
}
