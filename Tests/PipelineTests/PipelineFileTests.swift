import Foundation
import TestSupport
import Tracking
import XCTest

@testable import Pipeline

/// Pipeline files: decoding, every problem with its line and column, defaults per model, `--print`.
final class PipelineFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ text: String, name: String = "p.yaml") throws -> URL {
        try PipelineFileFixture(folder: folder).write(text, name: name)
    }

    private func problems(_ text: String) throws -> [String] { try PipelineFileFixture(folder: folder).problems(text) }

    func testPipelineFile_minimal_takesTheModelsDefaults() throws {
        let url = try write("""
            cameras:
              - id: a
                url: a.mp4
            model:
              weights: w.pt
            """)
        let p = try PipelineFile.load(url).resolve()
        XCTAssertEqual(p.name, "p")
        XCTAssertEqual(p.architecture, .pfsaMobileNetV2)
        XCTAssertEqual(p.inputSize.height, 256)
        XCTAssertEqual(p.pooling, .normalized)
        XCTAssertEqual(p.batchSize, 16)
        XCTAssertEqual(p.cameras[0].url, folder.appendingPathComponent("a.mp4").path, "relative to the file's folder")
        XCTAssertEqual(p.weights.path, folder.appendingPathComponent("w.pt").path)
        XCTAssertNil(p.events, "events go to standard output by default")
        XCTAssertEqual(p.registry, {
            var r = ModelDefaults.registry(for: .pfsaMobileNetV2)
            r.topology = CameraTopology(cameras: ["a"])
            return r
        }())
        XCTAssertEqual(p.tracker, ModelDefaults.tracker(for: .pfsaMobileNetV2))
    }

    func testPipelineFile_keysSet_overrideTheModelsDefaults() throws {
        let url = try write("""
            cameras:
              - id: left
                url: v.avi
                crop: [0, 0, 416, 576]
                first_frame: 10
                last_frame: 99
                detections:
                  path: left.jsonl
              - id: right
                url: rtsp://camera.example/stream
                live: false  # read as recorded footage: live and recorded cameras do not share a pipeline
            model:
              name: pfsa-resnet50
              weights: /abs/w.pth
              input: [256, 128]
              batch_size: 4
              embed:
                policy: every_nth_frame
                every: 5
                min_height: 40
            tracker:
              max_age: 12
              appearance: moving_average
              momentum: 0.8
            registry:
              match_threshold: 0.7
            topology:
              overlaps:
                - [left, right]
              transits:
                - from: left
                  to: right
                  min: 1
                  max: 9
              only_listed_transits: true
            output:
              events: out/events.jsonl
              fsync: always
            on_error:
              bad_detection_line: fatal
            queues:
              frames_per_camera: 2
            """)
        let p = try PipelineFile.load(url).resolve()
        XCTAssertEqual(p.architecture, .pfsaResNet50)
        XCTAssertEqual(p.inputSize.height, 256)
        XCTAssertEqual(p.batchSize, 4)
        XCTAssertEqual(p.embedPolicy, .everyNthFrame)
        XCTAssertEqual(p.embedEvery, 5)
        XCTAssertEqual(p.embedMinHeight, 40)
        XCTAssertEqual(p.cameras[0].crop?.width, 416)
        XCTAssertEqual(p.cameras[0].firstFrame, 10)
        XCTAssertEqual(p.cameras[0].lastFrame, 99)
        XCTAssertEqual(p.cameras[0].detections?.format, .jsonl, "from the extension")
        XCTAssertEqual(p.cameras[1].url, "rtsp://camera.example/stream", "URLs are kept as they are")
        XCTAssertEqual(p.tracker.maxAge, 12)
        XCTAssertEqual(p.tracker.appearance, .movingAverage(momentum: 0.8))
        XCTAssertEqual(p.registry.matchThreshold, 0.7)
        XCTAssertEqual(p.registry.margin, ModelDefaults.registry(for: .pfsaResNet50).margin)
        XCTAssertTrue(p.registry.topology.overlap("left", "right"))
        XCTAssertEqual(p.registry.topology.window(from: "left", to: "right"), .init(min: 1, max: 9))
        XCTAssertNil(p.registry.topology.window(from: "right", to: "left"), "only listed transits")
        XCTAssertEqual(p.events?.path, folder.appendingPathComponent("out/events.jsonl").path)
        XCTAssertEqual(p.fsync, .always)
        XCTAssertEqual(p.badDetectionLine, .fatal)
        XCTAssertEqual(p.framesPerCamera, 2)
        XCTAssertEqual(p.embeddedFrames, 32)
    }

    func testPipelineFile_unknownKey_namesTheNearestKnownKeyWithLineAndColumn() throws {
        let found = try problems("""
            camras:
              - id: a
                url: a.mp4
            model:
              weights: w.pt
            """)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("p.yaml:1:1: "), found[0])
        XCTAssertTrue(found[0].contains("did you mean `cameras`?"), found[0])
    }

    func testPipelineFile_everyProblem_isReportedAtItsKey() throws {
        let found = try problems("""
            cameras:
              - id: a
                url: a.mp4
              - id: a
                url: b.mp4
                crop: [0, 0, 1]
            model:
              name: pfsa-resnet
              weights: w.pt
              batch_size: 0
            topology:
              overlaps:
                - [a, c]
            """)
        XCTAssertEqual(found, [
            "p.yaml:8:9: unknown model `pfsa-resnet` — use `pfsa-resnet50`, `pfsa-mobilenetv2`",
            "p.yaml:10:15: batch_size must be at least 1, got 0",
            "p.yaml:4:9: camera id `a` is used twice (first by cameras[0]) — give each camera its own id",
            "p.yaml:6:11: crop must be [x, y, width, height] with x, y ≥ 0 and width, height ≥ 2, got [0, 0, 1]",
            "p.yaml:13:7: unknown camera `c` — did you mean `a`?",
        ])
    }

    func testPipelineFile_typeMismatch_saysWhatWasExpected() throws {
        let found = try problems("""
            cameras:
              - id: a
                url: a.mp4
            model:
              weights: w.pt
              batch_size: eight
            """)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found[0].hasPrefix("p.yaml:6:15: "), found[0])
        XCTAssertTrue(found[0].contains("eight"), found[0])
    }

    func testPipelineFile_effective_fillsEveryDefaultAndReadsBackTheSame() throws {
        let url = try write("""
            cameras:
              - id: a
                url: a.mp4
            model:
              weights: w.pt
            """)
        let file = try PipelineFile.load(url)
        let resolved = try file.resolve()
        let effective = file.effective(resolved)
        XCTAssertEqual(effective.registry, RegistrySettings(resolved.registry))
        XCTAssertEqual(effective.output?.fsync, .periodic)
        XCTAssertEqual(effective.model.embed?.policy, .everyDetection)
        // The printed effective file is itself a pipeline file that resolves to the same pipeline.
        let printed = try write(try effective.yamlText(header: "effective"), name: "effective.yaml")
        let again = try PipelineFile.load(printed)
        XCTAssertEqual(again.effective(try again.resolve()), effective)
    }
}
