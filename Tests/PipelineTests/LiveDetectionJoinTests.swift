import Foundation
import TestSupport
import VideoIO
import XCTest

@testable import Pipeline

/// A live camera's frames joined with detection lines from a real followed file, without a stream:
/// a frame goes on as soon as the detector moved past it, waits at most `detections_latency` and then
/// goes on empty, lines that come after their frame are counted late, and camera state changes keep
/// their place behind waiting frames.
final class LiveDetectionJoinTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try Fixtures.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private struct Rig {
        var join: LiveDetectionJoin
        var output: BoundedChannel<StageItem>
        var statistics: RunStatistics
        var clock: RunClock
        var detections: URL
    }

    private func rig(latency: Double) throws -> Rig {
        let detections = folder.appendingPathComponent("d.jsonl")
        try Data().write(to: detections)
        let pipeline = try PipelineFile.load(PipelineFileFixture(folder: folder).write("""
            cameras:
              - id: a
                url: udp://127.0.0.1:5000
            model:
              weights: w.pt
            """)).resolve()
        let output = BoundedChannel<StageItem>(capacity: 8)
        let statistics = RunStatistics(cameras: ["a"])
        let clock = RunClock()
        let join = LiveDetectionJoin(index: 0, cameraID: "a", path: detections.path, latency: latency, policy: EmbeddingPolicy(pipeline),
                                     keepImages: false, fatal: false, capacity: 8, output: output, statistics: statistics,
                                     clock: clock, log: { _ in })
        return Rig(join: join, output: output, statistics: statistics, clock: clock, detections: detections)
    }

    /// A 10 fps frame of the stream at `pts`, arriving now.
    private func frame(_ n: Int, pts: Double, _ rig: Rig) -> StageItem {
        .frame(CameraFrame(camera: 0, frame: n, time: rig.clock.now(), frameRate: Rational(10, 1), width: 416, height: 576, image: nil,
                           boxes: [], crops: [], cropBoxes: [], embeddings: [], streamTime: pts))
    }

    private func append(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    private func nextFrame(_ output: BoundedChannel<StageItem>) async throws -> CameraFrame {
        guard case .element(.frame(let f)) = await output.receive(within: 20) else { throw Unexpected() }
        return f
    }

    struct Unexpected: Error {}

    func testJoin_frameWithNoLinesWithinTheLatency_goesOnEmptyAfterIt_andItsLinesThenCountLate() async throws {
        // 1 s: long enough that the second frame's lines are read (the follower looks every 20 ms) before
        // its own wait could run out on a busy machine.
        let r = try rig(latency: 1)
        async let joined: Void = r.join.run()
        let sent = r.clock.now()
        _ = r.join.sendDroppingOldest(frame(0, pts: 1.5, r), droppable: \.isFrame)
        let first = try await nextFrame(r.output)
        let waited = r.clock.now() - sent
        XCTAssertEqual(first.streamTime, 1.5)
        XCTAssertEqual(first.boxes, [], "tracked as empty")
        XCTAssertGreaterThanOrEqual(waited, 1, "it waited detections_latency")
        XCTAssertLessThan(waited, 5)
        XCTAssertEqual(r.statistics.snapshot.cameras[0].framesPastDetectionsLatency, 1)

        // The detector catches up: frame 1.5's line is late; 1.6's goes with its frame, which goes on at
        // once because the detector is already at 1.7.
        try append("""
            {"pts": 1.5, "x": 1, "y": 2, "w": 30, "h": 60}
            {"pts": 1.6, "x": 5, "y": 2, "w": 30, "h": 60, "score": 0.9}
            {"pts": 1.7}

            """, to: r.detections)
        _ = r.join.sendDroppingOldest(frame(1, pts: 1.6, r), droppable: \.isFrame)
        let second = try await nextFrame(r.output)
        XCTAssertEqual(second.boxes.map(\.box.x), [5])
        XCTAssertEqual(second.boxes.map(\.score), [0.9])
        let counts = r.statistics.snapshot.cameras[0]
        XCTAssertEqual(counts.detectionLinesLate, 1)
        XCTAssertEqual(counts.detectionLinesUnmatched, 0)
        XCTAssertEqual(counts.framesPastDetectionsLatency, 1, "the second frame did not wait it out")
        r.join.finish()
        await joined
        guard case .finished = await r.output.receive(within: 5) else { return XCTFail("the camera's channel is finished") }
    }

    func testJoin_detectorAlreadyPastTheFrame_releasesItAtOnceWithItsBoxes() async throws {
        let r = try rig(latency: 60)  // a wait for the latency would fail the 20 s receive
        try append("""
            {"pts": 1.5, "x": 1, "y": 2, "w": 30, "h": 60}
            {"pts": 1.5, "x": 9, "y": 2, "w": 30, "h": 60}
            {"pts": 1.6}

            """, to: r.detections)
        async let joined: Void = r.join.run()
        _ = r.join.sendDroppingOldest(frame(0, pts: 1.5000000001, r), droppable: \.isFrame)
        let f = try await nextFrame(r.output)
        XCTAssertEqual(f.boxes.map(\.box.x), [1, 9])
        XCTAssertEqual(r.statistics.snapshot.cameras[0].framesPastDetectionsLatency, 0)
        r.join.finish()
        await joined
    }

    func testJoin_cameraDownBehindAWaitingFrame_keepsItsPlace_andTheEndReleasesWhatWaits() async throws {
        let r = try rig(latency: 60)
        async let joined: Void = r.join.run()
        _ = r.join.sendDroppingOldest(frame(0, pts: 1.5, r), droppable: \.isFrame)
        _ = await r.join.send(.down(CameraDown(camera: 0, time: r.clock.now(), lastFrame: 0, lastTime: 0, reason: "the stream ended")))
        r.join.finish()  // the reader ends (a stop): what waits goes on now, in order
        await joined
        var kinds: [String] = []
        while case .element(let item) = await r.output.receive(within: 5) {
            switch item {
            case .frame(let f): kinds.append("frame \(f.frame) boxes \(f.boxes.count)")
            case .down: kinds.append("down")
            default: kinds.append("other")
            }
        }
        XCTAssertEqual(kinds, ["frame 0 boxes 0", "down"])
    }
}
