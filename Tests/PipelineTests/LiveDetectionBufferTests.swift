import Tracking
import XCTest

@testable import Pipeline

/// Matching a live frame to its detection lines: pts within half a frame interval whatever the
/// rounding, complete once the detector moved past, late and unmatched lines counted, restarted
/// streams, wall_time keys.
final class LiveDetectionBufferTests: XCTestCase {
    private let interval = 0.1  // 10 fps

    private func box(_ x: Double) -> SuppliedDetections.Box { .init(box: BoundingBox(x: x, y: 0, w: 10, h: 20), score: 1) }
    private func pts(_ key: Double, _ x: Double?) -> LiveDetectionLine { .init(key: .pts(key), box: x.map(box)) }

    func testTake_ptsOffByRoundingOrUpToHalfAFrame_matchesTheFrame() {
        var b = LiveDetectionBuffer()
        b.add(pts(1.4999999, 1))
        b.add(pts(1.5000001, 2))
        b.add(pts(1.549, 3))  // within half an interval after
        b.add(pts(1.451, 4))  // within half an interval before (inserted in key order)
        XCTAssertEqual(b.take(pts: 1.5, wallTime: nil, interval: interval).map(\.box.x), [4, 1, 2, 3])
        XCTAssertEqual(b.unmatched, 0)
        XCTAssertEqual(b.late, 0)
    }

    func testTake_lineBetweenTwoFrames_goesToTheNearer() {
        var b = LiveDetectionBuffer()
        b.add(pts(1.56, 1))  // nearer 1.6 than 1.5
        XCTAssertEqual(b.take(pts: 1.5, wallTime: nil, interval: interval), [])
        XCTAssertEqual(b.take(pts: 1.6, wallTime: nil, interval: interval).map(\.box.x), [1])
    }

    func testIsComplete_onlyOnceALineForALaterFrameCame() {
        var b = LiveDetectionBuffer()
        XCTAssertFalse(b.isComplete(pts: 1.5, wallTime: nil, interval: interval), "nothing came yet")
        b.add(pts(1.5, 1))
        XCTAssertFalse(b.isComplete(pts: 1.5, wallTime: nil, interval: interval), "more boxes of 1.5 may follow")
        b.add(pts(1.6, nil))  // the detector looked at 1.6: it is done with 1.5
        XCTAssertTrue(b.isComplete(pts: 1.5, wallTime: nil, interval: interval))
        XCTAssertFalse(b.isComplete(pts: 1.6, wallTime: nil, interval: interval))
        XCTAssertFalse(b.isComplete(pts: nil, wallTime: 1.5, interval: interval), "a wall_time frame is not told by pts lines")
    }

    func testAdd_aLineForAFrameAlreadyHandedOut_isLateAndDropped() {
        var b = LiveDetectionBuffer()
        XCTAssertEqual(b.take(pts: 1.5, wallTime: nil, interval: interval), [], "handed out empty: nothing came in time")
        XCTAssertFalse(b.add(pts(1.5, 1)))
        XCTAssertFalse(b.add(pts(1.42, 2)))
        XCTAssertTrue(b.add(pts(1.6, 3)))
        XCTAssertEqual(b.late, 2)
        XCTAssertEqual(b.count, 1)
        XCTAssertEqual(b.take(pts: 1.6, wallTime: nil, interval: interval).map(\.box.x), [3])
    }

    func testTake_linesOfFramesThatNeverCame_areUnmatched() {
        var b = LiveDetectionBuffer()
        b.add(pts(1.5, 1))
        b.add(pts(1.6, 2))
        b.add(pts(1.6, 3))
        b.add(pts(1.7, 4))
        // 1.5 and 1.6 were dropped by a full buffer.
        XCTAssertEqual(b.take(pts: 1.7, wallTime: nil, interval: interval).map(\.box.x), [4])
        XCTAssertEqual(b.unmatched, 3)
        XCTAssertEqual(b.late, 0)
        XCTAssertEqual(b.count, 0)
    }

    func testRestart_streamRestartsFirst_oldLinesDropAndTheNewStreamsLinesMatch() {
        var b = LiveDetectionBuffer()
        b.add(pts(300.0, 1))
        XCTAssertEqual(b.take(pts: 300.0, wallTime: nil, interval: interval).map(\.box.x), [1])
        b.add(pts(300.1, 2))  // the old stream's last line; its frame was lost with the stream
        // The stream restarted at 1.5; the detector has not yet.
        XCTAssertFalse(b.isComplete(pts: 1.5, wallTime: nil, interval: interval), "the old stream's position says nothing")
        XCTAssertEqual(b.take(pts: 1.5, wallTime: nil, interval: interval), [])
        XCTAssertEqual(b.unmatched, 1)
        // Now the detector follows the new stream.
        XCTAssertTrue(b.add(pts(1.6, 3)))
        XCTAssertEqual(b.take(pts: 1.6, wallTime: nil, interval: interval).map(\.box.x), [3])
        XCTAssertEqual(b.late, 0)
    }

    func testRestart_detectorRestartsFirst_itsLinesWaitForTheNewStreamsFrames() {
        var b = LiveDetectionBuffer()
        b.add(pts(300.0, 1))
        _ = b.take(pts: 300.0, wallTime: nil, interval: interval)
        // The detector sees the restarted stream before Panoptes reconnects.
        XCTAssertTrue(b.add(pts(1.5, 2)), "not late: a new epoch")
        XCTAssertTrue(b.add(pts(1.6, 3)))
        XCTAssertEqual(b.late, 0)
        // An old frame still in flight takes nothing of the new epoch.
        XCTAssertEqual(b.take(pts: 300.1, wallTime: nil, interval: interval), [])
        // The new stream's frames.
        XCTAssertEqual(b.take(pts: 1.5, wallTime: nil, interval: interval).map(\.box.x), [2])
        XCTAssertEqual(b.take(pts: 1.6, wallTime: nil, interval: interval).map(\.box.x), [3])
        XCTAssertEqual(b.unmatched, 0)
        XCTAssertFalse(b.add(pts(1.55, 4)), "late again within the new epoch")
        XCTAssertEqual(b.late, 1)
    }

    func testWallTime_matchesTheNearestFrameWithinHalfAnInterval_andNeverRestarts() {
        var b = LiveDetectionBuffer()
        let t = 1_796_000_000.0
        b.add(.init(key: .wallTime(t + 0.03), box: box(1)))
        b.add(.init(key: .wallTime(t + 0.08), box: box(2)))  // nearer the next frame
        b.add(.init(key: .wallTime(t + 0.2), box: nil))
        XCTAssertTrue(b.isComplete(pts: 9.9, wallTime: t, interval: interval))
        XCTAssertEqual(b.take(pts: 9.9, wallTime: t, interval: interval).map(\.box.x), [1], "pts keys are not wall keys")
        XCTAssertEqual(b.take(pts: 10.0, wallTime: t + 0.1, interval: interval).map(\.box.x), [2])
        XCTAssertFalse(b.add(.init(key: .wallTime(t - 5), box: box(3))), "a wall time long past is late, not a restart")
        XCTAssertEqual(b.late, 1)
    }

    func testAdd_aDetectorFarAheadOfTheStream_holdsAtMostTheCapacity() {
        var b = LiveDetectionBuffer()
        for i in 0..<(LiveDetectionBuffer.capacity + 5) { b.add(pts(Double(i) * 0.001, 1)) }
        XCTAssertEqual(b.count, LiveDetectionBuffer.capacity)
        XCTAssertEqual(b.unmatched, 5)
    }
}
