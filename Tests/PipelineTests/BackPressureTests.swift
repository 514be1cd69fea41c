import Events
import Foundation
import TestSupport
import XCTest

@testable import Pipeline

/// With a deliberately slow event sink, decoding waits for it: the frames between the decoder and the
/// trackers never exceed what the bounded channels hold, however long the footage.
final class BackPressureTests: XCTestCase {
    /// An event sink that takes `delay` seconds per event, in front of a real JSONL writer.
    final class SlowSink: EventSink, @unchecked Sendable {
        // Safe: the pipeline's one tracking stage is the only caller.
        let inner: JSONLEventWriter
        let delay: Double
        init(_ inner: JSONLEventWriter, delay: Double) {
            self.inner = inner
            self.delay = delay
        }
        func append(_ draft: EventRecord) throws -> EventRecord {
            Thread.sleep(forTimeInterval: delay)
            return try inner.append(draft)
        }
        func close() throws { try inner.close() }
    }

    private var dir: URL!
    private var pipeline: URL!
    private let frames = 900

    /// The footage is made here: `runProcess` blocks, so it runs on the main thread before the async test.
    override func setUpWithError() throws {
        dir = try Fixtures.temporaryDirectory()
        let video = dir.appendingPathComponent("long.mp4")
        let ffmpeg = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-frames:v", "\(frames)", "-pix_fmt", "yuv420p", video.path,
        ])
        XCTAssertEqual(ffmpeg.status, 0, ffmpeg.stderrText)
        // A box that jumps every frame: with confirmation after 1 hit, each frame starts and ends a
        // track and creates an identity, so the sink is busy on every frame.
        var dets = ""
        for f in 1...frames { dets += "\(f),-1,\(f % 2 == 0 ? 10 : 100),20,40,80,0.9\n" }
        try Data(dets.utf8).write(to: dir.appendingPathComponent("long.det.txt"))
        pipeline = dir.appendingPathComponent("p.yaml")
        try Data("""
            cameras:
              - id: a
                url: long.mp4
                detections:
                  path: long.det.txt
              - id: b
                url: long.mp4
            model:
              weights: \(Fixtures.mobilenetWeights.path)
              batch_size: 4
              embed:
                policy: every_nth_frame
                every: 100000
            tracker:
              confirmation_hits: 1
              max_age: 0
            queues:
              frames_per_camera: 4
              embedded_frames: 8
            output:
              events: events.jsonl
            """.utf8).write(to: pipeline)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func testPipelineRunner_slowSink_keepsFramesInFlightWithinTheChannelCapacities() async throws {
        let resolved = try PipelineFile.load(pipeline).resolve()
        let runner = PipelineRunner(pipeline: resolved)
        let sink = SlowSink(try JSONLEventWriter(path: dir.appendingPathComponent("events.jsonl").path), delay: 0.001)
        let summary = try await runner.run(embedder: try runner.makeEmbedder(), sink: sink)
        let s = summary.statistics
        XCTAssertEqual(s.trackedFrames, 2 * frames)
        XCTAssertGreaterThan(s.events, 2 * frames, "the sink had work on every frame")
        // Per camera: the reader's channel and the frame it holds while blocked, the merger's head;
        // then the merged channel, the embedder's pending frames, the embedded channel, the tracker's one.
        let bound = 2 * (4 + 2) + max(4, 4) + 64 + 8 + 1
        XCTAssertLessThanOrEqual(s.mostFramesInFlight, bound)
        XCTAssertLessThan(s.mostFramesInFlight, frames / 5, "decoding did not run ahead of the slow sink")
    }
}
