import Tracking
import XCTest

@testable import Pipeline

/// `model.embed.policy`: which boxes of which frames a camera embeds.
final class EmbeddingScheduleTests: XCTestCase {
    private func box(_ x: Double, _ h: Double = 100) -> SuppliedDetections.Box {
        SuppliedDetections.Box(box: BoundingBox(x: x, y: 20, w: h * 0.4, h: h), score: 0.9)
    }

    /// Frames (offsets) on which each of the boxes listed per frame was embedded, by the box's label.
    private func embedded(_ policy: EmbeddingPolicy, _ frames: [[(label: String, box: SuppliedDetections.Box)]]) -> [String: [Int]] {
        var schedule = EmbeddingSchedule(policy)
        var out: [String: [Int]] = [:]
        for (offset, boxes) in frames.enumerated() {
            for i in schedule.choose(boxes.map(\.box), frame: offset) { out[boxes[i].label, default: []].append(offset) }
        }
        return out
    }

    func testEachTrack_embedsATrackWhenItAppearsThenEveryNthFrameOfIt() {
        // A walks right 3 px a frame from frame 0; B walks left from frame 4; A's detection is missed on
        // frame 6 (followed across the gap); C stands far away, shorter than min_height until frame 8.
        var frames: [[(label: String, box: SuppliedDetections.Box)]] = []
        for f in 0..<13 {
            var boxes: [(label: String, box: SuppliedDetections.Box)] = []
            if f != 6 { boxes.append(("A", box(100 + 3 * Double(f)))) }
            if f >= 4 { boxes.append(("B", box(400 - 3 * Double(f)))) }
            boxes.append(("C", box(600, f < 8 ? 40 : 60)))
            frames.append(boxes)
        }
        let each = embedded(EmbeddingPolicy(policy: .eachTrack, every: 3, minHeight: 50), frames)
        XCTAssertEqual(each["A"], [0, 3, 7, 10], "A is due on frame 6, where it is missed: its next detection is embedded")
        XCTAssertEqual(each["B"], [4, 7, 10], "B is embedded as it walks in")
        XCTAssertEqual(each["C"], [8, 11], "C is embedded once it is tall enough, at once")

        // every_nth_frame embeds whole frames: a track that appears in between waits.
        let nth = embedded(EmbeddingPolicy(policy: .everyNthFrame, every: 3, minHeight: 50), frames)
        XCTAssertEqual(nth["A"], [0, 3, 9, 12])
        XCTAssertEqual(nth["B"], [6, 9, 12])
        XCTAssertEqual(nth["C"], [9, 12])

        let all = embedded(EmbeddingPolicy(policy: .everyDetection, every: 3), frames)
        XCTAssertEqual(all["A"]?.count, 12)
        XCTAssertEqual(all["B"]?.count, 9)
        XCTAssertEqual(all["C"]?.count, 13)
    }

    func testEachTrack_twoPeopleCrossing_areEachEmbeddedAboutEveryNthFrame() {
        // Two boxes pass through each other. While they overlap, the following may swap them; either
        // way each person is embedded about once in 3 frames, never more than 6 frames apart.
        var schedule = EmbeddingSchedule(EmbeddingPolicy(policy: .eachTrack, every: 3))
        var last = [-1, -1], gaps = [0, 0], counts = [0, 0]
        for f in 0..<30 {
            let left = box(100 + 10 * Double(f)), right = box(400 - 10 * Double(f))
            for i in schedule.choose([left, right], frame: f) {
                gaps[i] = max(gaps[i], f - last[i])
                last[i] = f
                counts[i] += 1
            }
        }
        XCTAssertTrue(gaps.allSatisfy { $0 <= 6 }, "longest gaps \(gaps)")
        XCTAssertTrue(counts.allSatisfy { (8...12).contains($0) }, "embeddings \(counts)")
    }

    func testSchedule_dependsOnlyOnTheBoxes_soAReplayedPrefixGivesTheSameDecisions() {
        var frames: [[SuppliedDetections.Box]] = []
        for f in 0..<40 {
            var boxes = [box(50 + 4 * Double(f)), box(500 - 6 * Double(f % 17))]
            if f % 5 != 0 { boxes.append(box(300)) }
            frames.append(boxes)
        }
        let policy = EmbeddingPolicy(policy: .eachTrack, every: 4)
        var a = EmbeddingSchedule(policy), b = EmbeddingSchedule(policy)
        var first: [[Int]] = []
        for (f, boxes) in frames.enumerated() { first.append(a.choose(boxes, frame: f)) }
        // A resumed run replays the first 17 frames' boxes, then goes on.
        for f in 0..<17 { _ = b.choose(frames[f], frame: f) }
        for f in 17..<40 { XCTAssertEqual(b.choose(frames[f], frame: f), first[f], "frame \(f)") }
    }
}
