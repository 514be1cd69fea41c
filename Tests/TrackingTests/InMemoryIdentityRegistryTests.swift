import TestSupport
import XCTest
@testable import Tracking

/// The cross-camera registry, driven through real per-camera trackers on hand-built scenes.
final class InMemoryIdentityRegistryTests: XCTestCase {
    /// One person's presence in one camera: frames [start, end) at 10 fps, walking right, with an appearance axis.
    struct Appearance {
        var camera: String
        var label: Int
        var start: Int
        var end: Int
        var axis: Int
        var y: Double = 100
        /// From this frame on the embedding points along `laterAxis` instead.
        var changeAt: Int? = nil
        var laterAxis: Int = 0
        /// Adds this much of a second axis (a look-alike that differs a little).
        var blend: (axis: Int, weight: Float)? = nil
    }

    struct Outcome {
        var events: [IdentityEvent]
        /// (camera, label) → identities the registry gave to that person's tracks, in order of first use.
        var identities: [String: [Int]]
    }

    /// Runs trackers per camera over `frames` frames, merges steps by (time, camera), feeds the registry.
    func run(
        _ people: [Appearance], frames: Int, config: RegistryConfig = RegistryConfig(), tracker: TrackerConfig = TrackerConfig(),
        seed: UInt64 = 9
    ) throws -> Outcome {
        var rng = SeededGenerator(seed: seed)
        let cameras = Set(people.map(\.camera)).sorted()
        var trackers = Dictionary(uniqueKeysWithValues: cameras.map { ($0, CameraTracker(camera: $0, config: tracker)) })
        var registry = InMemoryIdentityRegistry(config: config)
        var events: [IdentityEvent] = []
        var identities: [String: [Int]] = [:]
        for frame in 0..<frames {
            let time = Double(frame) / 10
            for camera in cameras {
                let present = people.filter { $0.camera == camera && ($0.start..<$0.end).contains(frame) }
                let detections = present.map { p -> Detection in
                    let axis = p.changeAt.map { frame >= $0 ? p.laterAxis : p.axis } ?? p.axis
                    let x = 20 + 4 * Double(frame - p.start)
                    var embedding = CameraTrackerTests.embedding(axis, noise: 0.08, rng: &rng)
                    if let blend = p.blend { embedding[blend.axis] += blend.weight }
                    return Detection(camera: camera, frame: frame, time: time, box: BoundingBox(x: x, y: p.y, w: 40, h: 100),
                                     embedding: embedding)
                }
                let step = try trackers[camera]!.update(frame: frame, time: time, detections: detections)
                events += try registry.ingest(step)
                for update in step.updates where update.isMatched {
                    guard let id = registry.identity(camera: camera, track: update.track) else { continue }
                    let key = "\(camera)/\(present[update.detectionIndex!].label)"
                    if identities[key]?.last != id { identities[key, default: []].append(id) }
                }
            }
        }
        return Outcome(events: events, identities: identities)
    }

    func testPersonLeavingAAndEnteringBLater_getsAsIdentity() throws {
        let outcome = try run([
            Appearance(camera: "A", label: 1, start: 0, end: 40, axis: 3),
            Appearance(camera: "A", label: 2, start: 0, end: 60, axis: 5, y: 300),
            Appearance(camera: "B", label: 1, start: 60, end: 100, axis: 3),
        ], frames: 100)
        let a = try XCTUnwrap(outcome.identities["A/1"]), b = try XCTUnwrap(outcome.identities["B/1"])
        XCTAssertEqual(a.count, 1)
        XCTAssertEqual(b, a, "B's track should take A's identity")
        XCTAssertNotEqual(outcome.identities["A/2"], a)
        let matched = try XCTUnwrap(outcome.events.first { $0.kind == .identityMatched && $0.camera == "B" })
        XCTAssertEqual(matched.identity, a.first)
        XCTAssertEqual(matched.fromCamera, "A")
        XCTAssertEqual(matched.gap ?? -1, 2.1, accuracy: 0.05, "last seen at 3.9 s, first seen in B at 6.0 s")
        XCTAssertGreaterThan(matched.similarity ?? 0, 0.6)
        XCTAssertGreaterThan(matched.margin ?? 0, 0.05)
    }

    func testSamePersonAtTheSameMomentInNonOverlappingCameras_neverSharesIdentity() throws {
        // Two look-alikes (same appearance) at the same time in two cameras that do not overlap.
        let people = [
            Appearance(camera: "A", label: 1, start: 0, end: 80, axis: 4),
            Appearance(camera: "B", label: 2, start: 5, end: 80, axis: 4),
        ]
        let outcome = try run(people, frames: 80)
        let a = Set(try XCTUnwrap(outcome.identities["A/1"])), b = Set(try XCTUnwrap(outcome.identities["B/2"]))
        XCTAssertTrue(a.isDisjoint(with: b), "A \(a) and B \(b) share an identity")

        // The same input with overlapping views is allowed to join them: the constraint made the difference.
        let overlapping = RegistryConfig(topology: CameraTopology(overlaps: [("A", "B")]))
        let joined = try run(people, frames: 80, config: overlapping)
        XCTAssertEqual(joined.identities["A/1"], joined.identities["B/2"])
    }

    func testLookAlikesInOneCamera_neverShareIdentity_evenAfterOneIsLost() throws {
        // Look-alikes (cosine similarity ≈ 0.78: above the registry's match threshold, outside the
        // tracker's appearance gate) in camera A at the same time. Person 1 is also seen by camera B,
        // whose view overlaps A's, then leaves A; person 2's later re-checks meet person 1's identity
        // last seen in B, an overlapping camera, where no transit time applies.
        let people = [
            Appearance(camera: "A", label: 1, start: 0, end: 40, axis: 4),
            Appearance(camera: "B", label: 1, start: 30, end: 70, axis: 4),
            Appearance(camera: "A", label: 2, start: 10, end: 120, axis: 4, y: 300, blend: (7, 0.8)),
        ]
        let outcome = try run(people, frames: 120, config: RegistryConfig(topology: CameraTopology(overlaps: [("A", "B")])))
        let one = Set(try XCTUnwrap(outcome.identities["A/1"])), two = Set(try XCTUnwrap(outcome.identities["A/2"]))
        XCTAssertEqual(outcome.identities["B/1"].map(Set.init), one, "B's view of person 1 joins A's identity")
        XCTAssertTrue(one.isDisjoint(with: two), "A/1 \(one) and A/2 \(two) share an identity")
    }

    /// Persons 1 and 2 leave camera A; in B they walk in 0.3 s apart, person 1 first and looking more
    /// like person 2's identity (cosine ≈ 0.76) than like its own (≈ 0.63).
    func jointEntry(_ config: RegistryConfig) throws -> Outcome {
        try run([
            Appearance(camera: "A", label: 1, start: 0, end: 40, axis: 3),
            Appearance(camera: "A", label: 2, start: 0, end: 40, axis: 5, y: 300),
            Appearance(camera: "B", label: 1, start: 60, end: 120, axis: 3, blend: (5, 1.2)),
            Appearance(camera: "B", label: 2, start: 63, end: 120, axis: 5, y: 300),
        ], frames: 120, config: config)
    }

    func testTracksStartingTogether_firstReadyLooksLikeTheOther_bothGetTheirOwnIdentity() throws {
        var config = RegistryConfig()
        config.matchThreshold = 0.5
        let outcome = try jointEntry(config)
        let one = try XCTUnwrap(outcome.identities["A/1"]), two = try XCTUnwrap(outcome.identities["A/2"])
        XCTAssertEqual(outcome.identities["B/1"]?.last, one.first, "person 1 ends in its own identity")
        XCTAssertEqual(outcome.identities["B/2"], two, "person 2 takes its identity at once")
        let corrected = try XCTUnwrap(outcome.events.first { $0.kind == .identityCorrected && $0.camera == "B" })
        XCTAssertEqual(corrected.previousIdentity, two.first, "B's first track hands person 2's identity back")
        XCTAssertEqual(corrected.identity, one.first)
    }

    func testTracksStartingTogether_jointWindowZero_firstReadyKeepsTheOthersIdentity() throws {
        // The control: first come, first served.
        var config = RegistryConfig()
        config.matchThreshold = 0.5
        config.jointWindow = 0
        let outcome = try jointEntry(config)
        let two = try XCTUnwrap(outcome.identities["A/2"])
        XCTAssertEqual(outcome.identities["B/1"], two)
        XCTAssertNotEqual(outcome.identities["B/2"], two)
    }

    func testTransitOutsideWindow_createsNewIdentity() throws {
        let topology = CameraTopology(cameras: ["A", "B"], transitions: [(from: "A", to: "B", window: .init(min: 5, max: 20))])
        let people = [
            Appearance(camera: "A", label: 1, start: 0, end: 30, axis: 3),
            Appearance(camera: "B", label: 1, start: 40, end: 80, axis: 3),  // 1.1 s later: too fast
        ]
        let outcome = try run(people, frames: 80, config: RegistryConfig(topology: topology))
        XCTAssertNotEqual(outcome.identities["A/1"], outcome.identities["B/1"])
    }

    func testReentryWithinRetention_getsOldIdentity_afterRetention_newOne() throws {
        var config = RegistryConfig()
        config.reentryWindow = 5
        let outcome = try run([
            Appearance(camera: "A", label: 1, start: 0, end: 30, axis: 6),
            Appearance(camera: "A", label: 2, start: 70, end: 100, axis: 6, y: 200),   // back 4 s later
            Appearance(camera: "A", label: 3, start: 200, end: 230, axis: 6, y: 300),  // back 10 s after that
        ], frames: 230, config: config)
        XCTAssertEqual(outcome.identities["A/1"], outcome.identities["A/2"])
        XCTAssertNotEqual(outcome.identities["A/2"], outcome.identities["A/3"])
    }

    func testContradictingEvidence_emitsCorrection() throws {
        // B's person first looks like A's (joins it), then keeps looking like someone else. The tracker
        // keeps B's track by overlap through the change (veto off), so the registry sees one track whose
        // evidence turns.
        var tracker = TrackerConfig()
        tracker.appearanceVetoesOverlap = false
        let outcome = try run([
            Appearance(camera: "A", label: 1, start: 0, end: 30, axis: 3),
            Appearance(camera: "B", label: 2, start: 40, end: 120, axis: 3, changeAt: 44, laterAxis: 9),
        ], frames: 120, tracker: tracker)
        let corrected = try XCTUnwrap(outcome.events.first { $0.kind == .identityCorrected }, "no correction in \(outcome.events.map(\.kind))")
        let a = try XCTUnwrap(outcome.identities["A/1"]?.first)
        XCTAssertEqual(corrected.camera, "B")
        XCTAssertEqual(corrected.previousIdentity, a)
        XCTAssertNotEqual(corrected.identity, a)
        XCTAssertEqual(outcome.identities["B/2"], [a, corrected.identity!])
        XCTAssertTrue(corrected.reason?.contains("fell to") == true, corrected.reason ?? "")
    }

    func testSameOrderedInput_givesIdenticalEvents() throws {
        let people = [
            Appearance(camera: "A", label: 1, start: 0, end: 40, axis: 3),
            Appearance(camera: "A", label: 2, start: 10, end: 70, axis: 5, y: 300),
            Appearance(camera: "B", label: 1, start: 50, end: 100, axis: 3),
            Appearance(camera: "C", label: 2, start: 75, end: 100, axis: 5),
        ]
        let first = try run(people, frames: 100), second = try run(people, frames: 100)
        XCTAssertEqual(first.events, second.events)
        XCTAssertGreaterThan(first.events.count, 8)
    }

    func testEventsOfOneTrack_followTheLifeCycle() throws {
        let outcome = try run([Appearance(camera: "A", label: 1, start: 0, end: 20, axis: 1)], frames: 60)
        XCTAssertEqual(outcome.events.map(\.kind), [.trackStarted, .identityAssigned, .trackEnded])
        XCTAssertEqual(outcome.events.last?.identity, outcome.events[1].identity)
    }

    func testTracksWithoutEmbeddings_getTheirOwnIdentityWhenConfirmed() throws {
        var tracker = CameraTracker(camera: "A")
        var registry = InMemoryIdentityRegistry()
        var kinds: [IdentityEvent.Kind] = []
        for frame in 0..<5 {
            let d = Detection(camera: "A", frame: frame, time: Double(frame), box: BoundingBox(x: 10, y: 10, w: 40, h: 100))
            kinds += try registry.ingest(try tracker.update(frame: frame, time: Double(frame), detections: [d])).map(\.kind)
        }
        XCTAssertEqual(kinds, [.trackStarted, .identityAssigned])
        XCTAssertEqual(registry.identity(camera: "A", track: 1), 1)
    }

    func testUnknownCamera_throwsNamingIt() throws {
        var registry = InMemoryIdentityRegistry(config: RegistryConfig(topology: CameraTopology(cameras: ["A", "B"])))
        XCTAssertThrowsError(try registry.ingest(TrackerStep(camera: "Z", frame: 0, time: 0, updates: []))) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown camera 'Z' (known: A, B)"), "\(error)")
        }
    }

    func testStepEarlierThanPrevious_throws() throws {
        var registry = InMemoryIdentityRegistry()
        _ = try registry.ingest(TrackerStep(camera: "A", frame: 10, time: 1.0, updates: []))
        XCTAssertThrowsError(try registry.ingest(TrackerStep(camera: "B", frame: 3, time: 0.3, updates: []))) { error in
            XCTAssertTrue("\(error)".contains("merge the cameras' updates by (media time, camera)"), "\(error)")
        }
    }

    /// Two cameras embedded by different models (1280 and 512 values): the registry refuses the second
    /// camera's step with an error naming both, instead of stopping the process on a precondition.
    func testEmbeddingsOfDifferentLengths_throwNamingBothCameras() throws {
        var registry = InMemoryIdentityRegistry()
        var rng = SeededGenerator(seed: 31)
        var trackers = ["A": CameraTracker(camera: "A"), "B": CameraTracker(camera: "B")]
        let box = BoundingBox(x: 100, y: 50, w: 40, h: 100)
        var refusal: (any Error)?
        for frame in 0..<20 where refusal == nil {
            let time = Double(frame) / 10
            for (camera, dimension) in [("A", 1280), ("B", 512)] {
                let detection = Detection(camera: camera, frame: frame, time: time, box: box,
                                          embedding: CameraTrackerTests.embedding(1, dimension: dimension, rng: &rng))
                let step = try trackers[camera]!.update(frame: frame, time: time, detections: [detection])
                do { _ = try registry.ingest(step) } catch { refusal = error; break }
            }
        }
        let error = try XCTUnwrap(refusal, "the registry took embeddings of two lengths")
        XCTAssertEqual(
            "\(error)",
            "camera B frame 0: an embedding of 512 values, but camera A's have 1280; "
                + "embed every camera with the same model (and pooling), so their embeddings can be compared")
        // The refused step changed nothing: camera A goes on.
        let next = try trackers["A"]!.update(frame: 20, time: 2, detections: [
            Detection(camera: "A", frame: 20, time: 2, box: box, embedding: CameraTrackerTests.embedding(1, dimension: 1280, rng: &rng))])
        XCTAssertNoThrow(try registry.ingest(next))
    }

    /// One camera; a new, distinct person every 0.8 s (visible 0.6 s). Returns the largest identity count seen
    /// and the registry at the end.
    private func stream(people: Int, frames: Int, config: RegistryConfig) throws -> (most: Int, registry: InMemoryIdentityRegistry) {
        var registry = InMemoryIdentityRegistry(config: config)
        var tracker = CameraTracker(camera: "A")
        var rng = SeededGenerator(seed: 2)
        var most = 0
        for frame in 0..<frames {
            let person = frame / 8
            let detections = frame % 8 < 6 && person < people
                ? [Detection(camera: "A", frame: frame, time: Double(frame) / 10, box: BoundingBox(x: 20, y: 20, w: 40, h: 100),
                             embedding: CameraTrackerTests.embedding(person, dimension: 64, rng: &rng))] : []
            _ = try registry.ingest(try tracker.update(frame: frame, time: Double(frame) / 10, detections: detections))
            most = max(most, registry.identityCount)
        }
        return (most, registry)
    }

    func testIdentityCount_staysAtCap() throws {
        var config = RegistryConfig()
        config.maxIdentities = 5
        let uncapped = try stream(people: 12, frames: 100, config: RegistryConfig())
        XCTAssertEqual(uncapped.registry.identityCount, 12, "12 distinct people make 12 identities without a cap")
        let capped = try stream(people: 12, frames: 100, config: config)
        XCTAssertEqual(capped.most, 5)
        XCTAssertEqual(capped.registry.identityCount, 5)
    }

    func testIdentities_expireAfterRetention() throws {
        var config = RegistryConfig()
        config.identityRetention = 3
        let result = try stream(people: 12, frames: 160, config: config)
        // A new person every 0.8 s, each kept 3 s after their last sighting (+ up to 1 s until the purge).
        XCTAssertLessThanOrEqual(result.most, 6, "at most the last 4 s of people are remembered")
        XCTAssertEqual(result.registry.identityCount, 0, "every identity expired 3 s after its last sighting")
        XCTAssertEqual(result.registry.trackCount, 0)
    }

    /// Camera A sees person 1 (axis 3) for 2 s. Five seconds later a track in B starts at the frame's edge
    /// looking like axis 3 (a cut-off crop) and, inside the view, like axis 7: someone else. Returns the
    /// kind of B's first association event.
    private func firstAssociationInB(setAside: Bool) throws -> IdentityEvent.Kind? {
        var config = RegistryConfig()
        config.setAsideEdgeEmbeddings = setAside
        var registry = InMemoryIdentityRegistry(config: config)
        var rng = SeededGenerator(seed: 4)
        var events: [IdentityEvent] = []
        func update(_ camera: String, _ frame: Int, state: TrackState, axis: Int?, atEdge: Bool) -> TrackerStep {
            let box = BoundingBox(x: atEdge ? 0 : 50, y: 20, w: 40, h: 100)
            let embedding = axis.map { CameraTrackerTests.embedding($0, noise: 0.05, rng: &rng) } ?? []
            let u = TrackUpdate(camera: camera, track: 1, frame: frame, time: Double(frame) / 10, state: state, box: box,
                                estimate: box, score: 1, detectionIndex: axis == nil ? nil : 0, embedding: embedding,
                                isNew: false, becameConfirmed: false, hits: frame, atFrameEdge: atEdge)
            return TrackerStep(camera: camera, frame: frame, time: Double(frame) / 10, updates: [u])
        }
        for frame in 0..<20 { events += try registry.ingest(update("A", frame, state: .confirmed, axis: 3, atEdge: false)) }
        events += try registry.ingest(update("A", 20, state: .ended, axis: nil, atEdge: false))
        for frame in 70..<100 {
            events += try registry.ingest(update("B", frame, state: .confirmed, axis: frame < 76 ? 3 : 7, atEdge: frame < 76))
        }
        return events.first { $0.camera == "B" && ($0.kind == .identityAssigned || $0.kind == .identityMatched) }?.kind
    }

    func testEmbeddingsAtFrameEdge_areSetAside() throws {
        XCTAssertEqual(try firstAssociationInB(setAside: true), .identityAssigned, "the cut-off crops decided B's identity")
        XCTAssertEqual(try firstAssociationInB(setAside: false), .identityMatched,
                       "with the edge crops counted, B joins A's identity (what setting them aside changes)")
    }

    func testSelfTransitWindow_rulesReentry() throws {
        // The topology says leaving A and coming back takes 2 to 7 s: a look-alike appearing in A 0.5 s
        // after person 1 left is someone else; one appearing 4 s after (while the first look-alike is
        // still in view) is person 1 back.
        let topology = CameraTopology(cameras: ["A"], transitions: [(from: "A", to: "A", window: .init(min: 2, max: 7))])
        let outcome = try run([
            Appearance(camera: "A", label: 1, start: 0, end: 30, axis: 3),
            Appearance(camera: "A", label: 2, start: 35, end: 100, axis: 3, y: 200),
            Appearance(camera: "A", label: 3, start: 70, end: 100, axis: 3, y: 300),
        ], frames: 100, config: RegistryConfig(topology: topology))
        let one = try XCTUnwrap(outcome.identities["A/1"])
        XCTAssertNotEqual(outcome.identities["A/2"], one, "0.5 s is shorter than the window's 2 s")
        XCTAssertEqual(outcome.identities["A/3"]?.first, one.first, "4 s after person 1 left, within 2 to 7 s")
    }
}
