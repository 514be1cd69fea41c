import Foundation
import TestSupport
import Tracking
import XCTest

@testable import Pipeline

/// A checkpoint's tracking state: a core rebuilt from its memory, written to JSON and read back, decides
/// exactly as the core it was taken from, at any frame.
final class TrackingCoreMemoryTests: XCTestCase {
    private let cameras = ["a", "b"]

    private func makeCore() -> TrackingCore {
        var registry = ModelDefaults.registry(for: .pfsaMobileNetV2)
        registry.topology = CameraTopology(cameras: cameras)
        return TrackingCore(cameras: cameras, tracker: ModelDefaults.tracker(for: .pfsaMobileNetV2), registry: registry)
    }

    /// Six people with their own looks walking across camera `a`, then across camera `b` 4 s later, and
    /// back: 2 × 400 frames at 10 fps in (time, camera) order, embeddings with seeded noise.
    private func frames() -> [EmbeddedFrame] {
        var random = SeededGenerator(seed: 0x5EED_00C4)
        let looks: [[Float]] = (0..<6).map { _ in (0..<32).map { _ in Float(random.gaussian()) } }
        var frames: [EmbeddedFrame] = []
        for index in 0..<400 {
            for camera in 0..<2 {
                var boxes: [SuppliedDetections.Box] = []
                var embeddings: [[Float]] = []
                for person in 0..<6 {
                    // Person p crosses camera c from frame 60p + 40c + 200k (k = 0, 1) for 60 frames.
                    for pass in 0..<2 {
                        let step = index - (60 * person + 40 * camera + 200 * pass) % 400
                        guard (0..<60).contains(step) else { continue }
                        let x = pass == 0 ? 10 + Double(step) * 10 : 600 - Double(step) * 10
                        boxes.append(.init(box: BoundingBox(x: x, y: 100 + Double(person) * 20, w: 50, h: 150), score: 0.9))
                        embeddings.append(looks[person].map { $0 + Float(random.gaussian(0.3)) })
                    }
                }
                frames.append(EmbeddedFrame(camera: camera, frame: index, time: Double(index) / 10, width: 640, height: 480,
                                            boxes: boxes, embeddings: embeddings))
            }
        }
        return frames
    }

    func testMemory_throughJSONAtAnyFrame_goesOnWithTheSameEventsAsTheCoreItCameFrom() throws {
        let frames = frames()
        var reference = makeCore()
        var expected: [[IdentityEvent]] = []
        for f in frames { expected.append(try reference.track(f).events) }
        XCTAssertGreaterThan(expected.joined().filter { $0.kind == .identityMatched }.count, 0, "people are re-identified")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys

        for cut in [1, 97, 250, 399, 613] {
            var core = makeCore()
            for f in frames[..<cut] { _ = try core.track(f) }
            let saved = try encoder.encode(core.memory)
            let memory = try JSONDecoder().decode(TrackingCore.Memory.self, from: saved)
            var restored = try TrackingCore(cameras: cameras, tracker: ModelDefaults.tracker(for: .pfsaMobileNetV2),
                                            registry: makeCore().registry.config, memory: memory)
            XCTAssertEqual(try encoder.encode(restored.memory), saved, "cut \(cut): the restored state writes the same file")
            for (i, f) in frames[cut...].enumerated() {
                let events = try restored.track(f).events
                XCTAssertEqual(events, expected[cut + i], "cut \(cut), frame item \(cut + i)")
                if events != expected[cut + i] { break }
            }
            let ends = try (0..<2).map { try restored.end(camera: $0, lastFrame: 399, lastTime: 39.9)?.events ?? [] }
            var finished = reference
            let expectedEnds = try (0..<2).map { try finished.end(camera: $0, lastFrame: 399, lastTime: 39.9)?.events ?? [] }
            XCTAssertEqual(ends, expectedEnds, "cut \(cut): the same tracks end with the same identities")
        }
    }
}
