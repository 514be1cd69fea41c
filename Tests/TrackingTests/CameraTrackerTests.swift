import TestSupport
import XCTest
@testable import Tracking

/// The per-camera tracker on hand-built scenes and on bad input.
final class CameraTrackerTests: XCTestCase {
    /// A unit embedding pointing mostly along `axis`, with a little seeded noise.
    static func embedding(_ axis: Int, dimension: Int = 32, noise: Double = 0.05, rng: inout SeededGenerator) -> [Float] {
        var v = (0..<dimension).map { _ in Float(rng.gaussian(noise)) }
        v[axis] += 1
        return v
    }

    /// Runs `frames` through a tracker; returns, per person label, the set of confirmed track ids it was given.
    private func trackIDs(
        _ frames: [[(label: Int, box: BoundingBox, embedding: [Float])]], config: TrackerConfig = TrackerConfig()
    ) throws -> [Int: Set<Int>] {
        var tracker = CameraTracker(camera: "cam", config: config)
        var ids: [Int: Set<Int>] = [:]
        for (frame, people) in frames.enumerated() {
            let detections = people.map { Detection(camera: "cam", frame: frame, time: Double(frame) / 25, box: $0.box, embedding: $0.embedding) }
            let step = try tracker.update(frame: frame, time: Double(frame) / 25, detections: detections)
            for update in step.confirmedMatches { ids[people[update.detectionIndex!].label, default: []].insert(update.track) }
        }
        return ids
    }

    /// Two people walk towards each other, meet, and both turn back (each takes the other's motion).
    private func crossing(withAppearance: Bool) -> [[(label: Int, box: BoundingBox, embedding: [Float])]] {
        var rng = SeededGenerator(seed: 11)
        var frames: [[(label: Int, box: BoundingBox, embedding: [Float])]] = []
        for frame in 0..<80 {
            let t = Double(min(frame, 80 - frame))  // out to the middle and back
            let a = BoundingBox(x: 100 + 2.5 * t, y: 100, w: 50, h: 120)
            let b = BoundingBox(x: 300 - 2.5 * t, y: 102, w: 50, h: 120)
            frames.append([
                (0, a, withAppearance ? Self.embedding(0, rng: &rng) : []),
                (1, b, withAppearance ? Self.embedding(1, rng: &rng) : []),
            ])
        }
        return frames
    }

    func testCrossingWithSwappedMotion_keepsIdentitiesByAppearance() throws {
        // Both turn back within one frame, which the turn-round veto answers with new tracks (people do
        // not turn so fast); it is off here so that the appearance stage alone is tested.
        var config = TrackerConfig()
        config.reversalSpeed = 0
        let ids = try trackIDs(crossing(withAppearance: true), config: config)
        XCTAssertEqual(ids[0]?.count, 1, "person 0 got tracks \(ids[0] ?? [])")
        XCTAssertEqual(ids[1]?.count, 1, "person 1 got tracks \(ids[1] ?? [])")
        XCTAssertNotEqual(ids[0], ids[1])
    }

    func testCrossingWithSwappedMotion_withoutAppearance_swapsOrBreaks() throws {
        // The same scene by motion alone: the Kalman prediction carries each track through the meeting
        // point, so a track ends up on the other person. This is what the appearance test guards against.
        let ids = try trackIDs(crossing(withAppearance: false))
        XCTAssertFalse(ids[0]?.count == 1 && ids[1]?.count == 1 && ids[0] != ids[1],
                       "motion alone kept both identities: the crossing case would not test appearance")
    }

    func testOcclusionShorterThanMaxAge_keepsTrack() throws {
        var rng = SeededGenerator(seed: 5)
        var frames: [[(label: Int, box: BoundingBox, embedding: [Float])]] = []
        for frame in 0..<90 {
            let box = BoundingBox(x: 50 + 3 * Double(frame), y: 80, w: 45, h: 110)
            frames.append((30..<55).contains(frame) ? [] : [(0, box, Self.embedding(2, rng: &rng))])
        }
        let ids = try trackIDs(frames)
        XCTAssertEqual(ids[0]?.count, 1, "a 25-frame gap (max age 30) split the track: \(ids[0] ?? [])")
    }

    func testOcclusionLongerThanMaxAge_startsNewTrack() throws {
        var rng = SeededGenerator(seed: 5)
        var frames: [[(label: Int, box: BoundingBox, embedding: [Float])]] = []
        for frame in 0..<100 {
            let box = BoundingBox(x: 50 + 3 * Double(frame), y: 80, w: 45, h: 110)
            frames.append((30..<65).contains(frame) ? [] : [(0, box, Self.embedding(2, rng: &rng))])
        }
        XCTAssertEqual(try trackIDs(frames)[0]?.count, 2)
    }

    func testTrackStates_followTentativeConfirmedLostEnded() throws {
        var tracker = CameraTracker(camera: "c", config: TrackerConfig())
        let box = BoundingBox(x: 10, y: 10, w: 40, h: 100)
        var states: [TrackState] = []
        for frame in 0..<40 {
            let detections = frame < 5 ? [Detection(camera: "c", frame: frame, time: Double(frame), box: box)] : []
            let step = try tracker.update(frame: frame, time: Double(frame), detections: detections)
            states += step.updates.map(\.state)
        }
        XCTAssertEqual(states, [.tentative, .tentative, .confirmed, .confirmed, .confirmed, .lost, .ended])
        XCTAssertEqual(tracker.liveTrackCount, 0)
    }

    func testTentativeTrackMissedOnce_ends() throws {
        var tracker = CameraTracker(camera: "c")
        let d = Detection(camera: "c", frame: 0, time: 0, box: BoundingBox(x: 10, y: 10, w: 40, h: 100))
        _ = try tracker.update(frame: 0, time: 0, detections: [d])
        let step = try tracker.update(frame: 1, time: 0.04, detections: [])
        XCTAssertEqual(step.updates.map(\.state), [.ended])
    }

    func testBadDetections_areSkippedWithCountsOrClipped() throws {
        var tracker = CameraTracker(camera: "c", config: TrackerConfig(frameWidth: 640, frameHeight: 480))
        func d(_ x: Double, _ y: Double, _ w: Double, _ h: Double, embedding: [Float] = [1, 0, 0]) -> Detection {
            Detection(camera: "c", frame: 0, time: 0, box: BoundingBox(x: x, y: y, w: w, h: h), embedding: embedding)
        }
        let step = try tracker.update(frame: 0, time: 0, detections: [
            d(.nan, 0, 10, 10), d(0, 0, .infinity, 10), d(0, 0, 0, 10), d(0, 0, 10, -5), d(700, 10, 40, 80),
            d(600, 400, 100, 100), d(10, 10, 20, 40, embedding: [1, 0]), d(10, 10, 20, 40, embedding: [.nan, 0, 0]),
        ])
        XCTAssertEqual(step.skipped, [.notFinite: 2, .emptyBox: 2, .outsideFrame: 1, .badEmbedding: 2])
        XCTAssertEqual(step.updates.count, 1)
        XCTAssertEqual(step.updates.first?.box, BoundingBox(x: 600, y: 400, w: 40, h: 80), "clipped to the frame")
        XCTAssertEqual(step.updates.first?.detectionIndex, 5)
        XCTAssertEqual(tracker.skippedTotals[.notFinite], 2)
    }

    func testFrameOutOfOrder_throwsNamingCameraAndFrames() throws {
        var tracker = CameraTracker(camera: "lobby")
        _ = try tracker.update(frame: 5, time: 0.2, detections: [])
        XCTAssertThrowsError(try tracker.update(frame: 3, time: 0.1, detections: [])) { error in
            XCTAssertEqual("\(error)", "camera lobby: frame 3 arrived after frame 5; feed each camera's frames in increasing order (sort the detection file by frame)")
        }
    }

    func testDetectionOfUnknownCamera_throws() throws {
        var tracker = CameraTracker(camera: "lobby")
        let d = Detection(camera: "garage", frame: 0, time: 0, box: BoundingBox(x: 0, y: 0, w: 10, h: 20))
        XCTAssertThrowsError(try tracker.update(frame: 0, time: 0, detections: [d])) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown camera 'garage' (known: lobby)"), "\(error)")
        }
    }

    func testEmptyFrames_produceNoTracks() throws {
        var tracker = CameraTracker(camera: "c")
        for frame in 0..<10 { XCTAssertEqual(try tracker.update(frame: frame, time: Double(frame), detections: []).updates, []) }
    }

    func testFeaturesPerTrack_areBoundedByK() throws {
        var config = TrackerConfig()
        config.appearance = .gallery
        config.maxFeaturesPerTrack = 7
        var tracker = CameraTracker(camera: "c", config: config)
        var rng = SeededGenerator(seed: 1)
        for frame in 0..<50 {
            let d = Detection(camera: "c", frame: frame, time: Double(frame), box: BoundingBox(x: 10 + Double(frame), y: 10, w: 40, h: 100),
                              embedding: Self.embedding(0, rng: &rng))
            _ = try tracker.update(frame: frame, time: Double(frame), detections: [d])
        }
        XCTAssertEqual(tracker.liveTrackCount, 1)
        XCTAssertEqual(tracker.storedFeatureCount, 7)
    }

    /// Person 0 walks out at the right edge of a 320x240 frame; two frames after the last of them, a
    /// look-alike (the same appearance) walks in at the same edge. Returns the labels' confirmed track ids.
    private func walkOutWalkIn(frameSize: Bool) throws -> [Int: Set<Int>] {
        var rng = SeededGenerator(seed: 21)
        var frames: [[(label: Int, box: BoundingBox, embedding: [Float])]] = []
        for frame in 0..<40 {
            let out = BoundingBox(x: 150 + 8 * Double(frame), y: 60, w: 40, h: 100)
            let inward = BoundingBox(x: 320 - 8 * Double(frame - 24), y: 62, w: 40, h: 100)
            var people: [(label: Int, box: BoundingBox, embedding: [Float])] = []
            for (label, box) in [(0, out), (1, inward)] {
                guard let visible = box.clipped(width: 320, height: 240), visible.w >= 8, label == 0 || frame >= 24 else { continue }
                people.append((label, visible, Self.embedding(4, rng: &rng)))
            }
            frames.append(people)
        }
        var config = TrackerConfig()
        if frameSize { config.frameSize = (320, 240) }
        return try trackIDs(frames, config: config)
    }

    func testPersonWalkingOutAtEdge_doesNotHandTrackToLookAlikeWalkingIn() throws {
        let ids = try walkOutWalkIn(frameSize: true)
        XCTAssertEqual(ids[0]?.count, 1)
        XCTAssertEqual(ids[1]?.count, 1)
        XCTAssertTrue(ids[0]!.isDisjoint(with: ids[1]!), "the look-alike took the track of the person who left: \(ids)")
    }

    func testWithoutFrameSize_lookAlikeAtEdgeTakesTheTrack() throws {
        // Without a frame size the tracker cannot know the person left: the lost track waits `maxAge`
        // frames and takes the look-alike. This is what the edge rule guards against.
        let ids = try walkOutWalkIn(frameSize: false)
        XCTAssertFalse(ids[0]?.isDisjoint(with: ids[1] ?? []) ?? true, "tracks \(ids): the edge case would not test the edge rule")
    }

    /// Person 0 walks right at 12 px a frame and, as they pass behind someone, is no longer seen; in
    /// that frame a look-alike is seen 6 px behind person 0's last box, walking left at 10 px a frame:
    /// where the filter's gate still lets the track take them (as when one person walks out at an edge as
    /// another walks in). Only the turn-round veto (`reversalSpeed`) tells them apart.
    private func passBehind(reversalSpeed: Double) throws -> [Int: Set<Int>] {
        var rng = SeededGenerator(seed: 23)
        var frames: [[(label: Int, box: BoundingBox, embedding: [Float])]] = []
        for frame in 0..<30 {
            let box = frame < 15
                ? BoundingBox(x: 100 + 12 * Double(frame), y: 80, w: 60, h: 150)
                : BoundingBox(x: 262 - 10 * Double(frame - 15), y: 82, w: 60, h: 150)
            frames.append([(frame < 15 ? 0 : 1, box, Self.embedding(4, rng: &rng))])
        }
        var config = TrackerConfig()
        config.reversalSpeed = reversalSpeed
        return try trackIDs(frames, config: config)
    }

    func testLookAlikeSeenBehindAWalkingPerson_doesNotTakeTheTrackBackwards() throws {
        let ids = try passBehind(reversalSpeed: TrackerConfig().reversalSpeed)
        XCTAssertEqual(ids[0]?.count, 1, "person 0 got tracks \(ids[0] ?? [])")
        XCTAssertNotNil(ids[1], "the newcomer got no confirmed track")
        XCTAssertTrue(ids[0]!.isDisjoint(with: ids[1]!), "the newcomer took the track of the person walking out: \(ids)")
        let plain = try passBehind(reversalSpeed: 0)
        XCTAssertFalse(plain[0]?.isDisjoint(with: plain[1] ?? []) ?? true,
                       "tracks \(plain) without the veto: the scene would not test it")
    }

    /// A person standing nearly still (box jitter of a few pixels, no steady direction) keeps one track:
    /// the veto needs a speed of `reversalSpeed` box heights per frame before it judges a direction.
    func testPersonStandingWithJitter_keepsOneTrack() throws {
        var rng = SeededGenerator(seed: 24)
        let frames = (0..<60).map { _ in
            [(label: 0, box: BoundingBox(x: 200 + rng.gaussian(1.5), y: 80 + rng.gaussian(1.5), w: 60, h: 150),
              embedding: Self.embedding(2, rng: &rng))]
        }
        let ids = try trackIDs(frames)
        XCTAssertEqual(ids[0]?.count, 1, "tracks \(ids)")
    }

    /// Person 0 stands still for 20 frames and is gone; in the next frame someone who looks different
    /// stands in the same place.
    private func swapInPlace(veto: Bool) throws -> [Int: Set<Int>] {
        var rng = SeededGenerator(seed: 22)
        let box = BoundingBox(x: 100, y: 50, w: 40, h: 100)
        let frames = (0..<40).map { frame in [(label: frame < 20 ? 0 : 1, box: box, embedding: Self.embedding(frame < 20 ? 0 : 6, rng: &rng))] }
        var config = TrackerConfig()
        config.appearanceVetoesOverlap = veto
        return try trackIDs(frames, config: config)
    }

    func testDifferentLookingPersonInSamePlace_getsNewTrack() throws {
        let ids = try swapInPlace(veto: true)
        XCTAssertTrue(ids[0]!.isDisjoint(with: ids[1]!), "the overlap stage handed the track over: \(ids)")
        let plain = try swapInPlace(veto: false)
        XCTAssertEqual(plain[0], plain[1], "without the veto DeepSORT's IoU stage keeps the track (what the veto changes)")
    }

    /// The SIMD dot product against a plain Float64 loop, on lengths that exercise every tail: below 8,
    /// between the 8- and 32-wide blocks, and odd sizes above (not only powers of 2).
    func testDot_oddLengths_equalsPlainReference() {
        var rng = SeededGenerator(seed: 97)
        for length in [0, 1, 2, 7, 8, 9, 13, 31, 32, 33, 39, 41, 63, 65, 100, 511, 1280, 1283, 2049] {
            let a = (0..<length).map { _ in Float(rng.gaussian()) }
            let b = (0..<length).map { _ in Float(rng.gaussian()) }
            var reference = 0.0, magnitude = 0.0
            for i in 0..<length {
                reference += Double(a[i]) * Double(b[i])
                magnitude += abs(Double(a[i]) * Double(b[i]))
            }
            let fast = Double(CameraTracker.dot(a, b))
            // Float32 sums: error grows with the sum of |terms|, not with the (possibly cancelling) result.
            XCTAssertEqual(fast, reference, accuracy: 1e-6 * max(1, magnitude), "length \(length)")
        }
    }
}
