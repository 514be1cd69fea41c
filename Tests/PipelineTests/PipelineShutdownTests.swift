import Events
import Foundation
import TestSupport
import XCTest

@testable import Pipeline

/// The shutdown state a run's stages observe: a first request stops gracefully, a second abandons
/// (closing the sink between two lines), requests after the run changed nothing; and a runner stopped
/// mid-run ends its live tracks and says why.
final class PipelineShutdownTests: XCTestCase {
    func testPipelineShutdown_firstThenSecondRequest_stopsThenAbandonsAndClosesTheSink() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("events.jsonl").path
        let writer = try JSONLEventWriter(path: path)
        let shutdown = PipelineShutdown()
        shutdown.attach(writer)
        XCTAssertEqual(shutdown.state, .running)
        XCTAssertNil(shutdown.stopReason)

        XCTAssertEqual(shutdown.request(.terminated), .stopping(.terminated))
        XCTAssertEqual(shutdown.stopReason, .terminated)
        XCTAssertNoThrow(try writer.append(EventRecord(type: .runFinished, time: 0, reason: "x")), "stopping keeps the sink open")

        XCTAssertEqual(shutdown.request(.interrupted), .abandoned(.interrupted), "the second request names the exit status")
        XCTAssertThrowsError(try writer.append(EventRecord(type: .runFinished, time: 0, reason: "x")), "the sink is closed")
        XCTAssertEqual(shutdown.request(.terminated), .abandoned(.interrupted), "later requests change nothing")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count, 1)
    }

    func testPipelineShutdown_requestAfterTheRunReturned_changesNothing() {
        let shutdown = PipelineShutdown()
        shutdown.runReturned()
        XCTAssertEqual(shutdown.request(.interrupted), .finished)
        XCTAssertEqual(shutdown.request(.interrupted), .finished)
        XCTAssertNil(shutdown.stopReason)
    }

    func testStopReason_exitStatus_is128PlusTheSignal() {
        XCTAssertEqual(StopReason.interrupted.exitStatus, 130)
        XCTAssertEqual(StopReason.terminated.exitStatus, 143)
        XCTAssertEqual(StopReason.interrupted.signalName, "SIGINT")
    }

    /// Passes events to a real writer and asks the run to stop at each of the first `stops` track starts.
    final class StoppingSink: EventSink, @unchecked Sendable {
        // Safe: the pipeline's one tracking stage is the only caller of append (`stops` is its alone);
        // close comes after it or from the shutdown, and the writer locks itself.
        let inner: JSONLEventWriter
        let runner: PipelineRunner
        var stops: Int
        init(_ inner: JSONLEventWriter, stopping runner: PipelineRunner, times stops: Int) {
            self.inner = inner
            self.runner = runner
            self.stops = stops
        }
        func append(_ draft: EventRecord) throws -> EventRecord {
            if draft.type == .trackStarted, stops > 0 {
                stops -= 1
                runner.stop(reason: .terminated)
            }
            return try inner.append(draft)
        }
        func close() throws { try inner.close() }
    }

    private static let footageFrames = 600
    private var footage: URL!

    /// The test pattern is made here: `runProcess` blocks, so it runs on the main thread before the async tests.
    override func setUpWithError() throws {
        footage = try Fixtures.temporaryDirectory("shutdown-footage")
        let ffmpeg = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-frames:v", "\(Self.footageFrames)",
            "-pix_fmt", "yuv420p", footage.appendingPathComponent("long.mp4").path,
        ])
        XCTAssertEqual(ffmpeg.status, 0, ffmpeg.stderrText)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: footage)
    }

    /// Two cameras of one 600-frame test pattern, each with one box standing still: one track each,
    /// confirmed early and live to the end. Returns the pipeline file.
    private func standingScene(_ dir: URL, frames: Int) throws -> URL {
        precondition(frames <= Self.footageFrames, "the footage made in setUp has \(Self.footageFrames) frames")
        var dets = ""
        for f in 1...frames { dets += "\(f),-1,40,20,40,80,0.9\n" }
        try Data(dets.utf8).write(to: dir.appendingPathComponent("long.det.txt"))
        let pipeline = dir.appendingPathComponent("p.yaml")
        try Data("""
            cameras:
              - id: a
                url: \(footage.appendingPathComponent("long.mp4").path)
                detections:
                  path: long.det.txt
              - id: b
                url: \(footage.appendingPathComponent("long.mp4").path)
                detections:
                  path: long.det.txt
            model:
              weights: \(Fixtures.mobilenetWeights.path)
              embed:
                policy: every_nth_frame
                every: 100000
            queues:
              frames_per_camera: 4
              embedded_frames: 8
            """.utf8).write(to: pipeline)
        return pipeline
    }

    func testPipelineRunner_secondStopMidRun_closesTheSinkAndTheRunThrowsInsteadOfHanging() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let runner = PipelineRunner(pipeline: try PipelineFile.load(try standingScene(dir, frames: 600)).resolve())
        let path = dir.appendingPathComponent("events.jsonl").path
        // Camera a's track start stops the run, camera b's (at the same moment) abandons it.
        let sink = StoppingSink(try JSONLEventWriter(path: path), stopping: runner, times: 2)
        do {
            _ = try await runner.run(embedder: try runner.makeEmbedder(), sink: sink)
            XCTFail("an abandoned run does not finish")
        } catch let error as EventsError {
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
        XCTAssertEqual(runner.shutdown.state, .abandoned(.terminated))
        let (events, torn) = try EventReader.readAll(path: path)
        XCTAssertNil(torn, "the sink was closed between two lines")
        XCTAssertEqual(events.map(\.record.type), [.runStarted, .trackStarted])
    }

    func testPipelineRunner_stopOnceATrackStarted_endsLiveTracksWithRunStoppedAndFinishesTerminated() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let frames = 600
        let runner = PipelineRunner(pipeline: try PipelineFile.load(try standingScene(dir, frames: frames)).resolve())
        let path = dir.appendingPathComponent("events.jsonl").path
        let sink = StoppingSink(try JSONLEventWriter(path: path), stopping: runner, times: 1)
        let summary = try await runner.run(embedder: try runner.makeEmbedder(), sink: sink)

        XCTAssertEqual(summary.stopReason, .terminated)
        XCTAssertEqual(summary.exitCode, 143)
        XCTAssertEqual(runner.shutdown.state, .finished)
        XCTAssertLessThan(summary.frames, 2 * frames / 2, "the readers stopped long before the end")
        XCTAssertTrue(summary.statistics.cameras.allSatisfy { $0.stopped && $0.error == nil })
        let (events, torn) = try EventReader.readAll(path: path)
        XCTAssertNil(torn)
        let records = events.map(\.record)
        XCTAssertEqual(records.last?.type, .runFinished)
        XCTAssertEqual(records.last?.reason, "terminated")
        let started = records.filter { $0.type == .trackStarted }.map { "\($0.camera ?? "")/\($0.track ?? -1)" }
        let ended = records.filter { $0.type == .trackEnded }
        XCTAssertEqual(started.count, 2, "one track per camera")
        XCTAssertEqual(ended.map { "\($0.camera ?? "")/\($0.track ?? -1)" }.sorted(), started.sorted())
        XCTAssertTrue(ended.allSatisfy { $0.reason == PipelineShutdown.trackEndedReason }, "\(ended)")
        XCTAssertEqual(summary.statistics.tracksEndedByStop, 2)
        XCTAssertTrue(summary.table.contains("stopped by SIGTERM before the end of the footage: 2 live tracks ended"), summary.table)
    }
}
