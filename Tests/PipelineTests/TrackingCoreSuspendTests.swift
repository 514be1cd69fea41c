import Tracking
import XCTest

@testable import Pipeline

/// A live camera that goes down: its tracks end with reason `camera_down`, and the person seen again
/// after it comes back is the same identity.
final class TrackingCoreSuspendTests: XCTestCase {
    /// One person walking slowly across a 640x480 frame of camera `a`, embedding `look`.
    private func frame(_ index: Int, time: Double, look: [Float]) -> EmbeddedFrame {
        let box = SuppliedDetections.Box(box: BoundingBox(x: 100 + Double(index), y: 100, w: 60, h: 160), score: 0.9)
        return EmbeddedFrame(camera: 0, frame: index, time: time, width: 640, height: 480, boxes: [box], embeddings: [look])
    }

    func testTrackingCore_suspend_endsTracksWithTheReasonAndTheReturningPersonKeepsTheIdentity() throws {
        var core = TrackingCore(cameras: ["a"], tracker: ModelDefaults.tracker(for: .pfsaMobileNetV2),
                                registry: { var r = ModelDefaults.registry(for: .pfsaMobileNetV2)
                                            r.topology = CameraTopology(cameras: ["a"])
                                            return r }())
        let look: [Float] = [0.6, 0.8, 0, 0, 0, 0, 0, 0]
        var events: [IdentityEvent] = []
        for i in 0..<30 { events += try core.track(frame(i, time: Double(i) * 0.1, look: look)).events }
        let first = try XCTUnwrap(events.first { $0.kind == .identityAssigned }, "\(events)")

        let down = try XCTUnwrap(try core.suspend(camera: 0, lastFrame: 29, time: 6, reason: "camera_down"))
        let ended = down.events.filter { $0.kind == .trackEnded }
        XCTAssertEqual(ended.map(\.track), [first.track])
        XCTAssertEqual(ended.map(\.reason), ["camera_down"])

        events = []
        for i in 60..<90 { events += try core.track(frame(i, time: Double(i) * 0.1, look: look)).events }
        let started = try XCTUnwrap(events.first { $0.kind == .trackStarted })
        XCTAssertGreaterThan(started.track, first.track, "the tracker was kept: track ids go on")
        XCTAssertFalse(events.contains { $0.kind == .identityAssigned }, "no new identity: \(events)")
        XCTAssertEqual(events.first { $0.kind == .identityMatched }?.identity, first.identity, "\(events)")
    }
}
