import Foundation
import TestSupport
import XCTest

@testable import Pipeline

/// Live cameras in pipeline files: which cameras are live, their stall timeout and reconnection keys
/// (camera over file over default), each bad value with its file:line:column, and the backoff.
final class LiveSettingsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func resolve(_ text: String) throws -> ResolvedPipeline {
        try PipelineFile.load(PipelineFileFixture(folder: folder).write(text)).resolve()
    }

    private func problems(_ text: String) throws -> [String] { try PipelineFileFixture(folder: folder).problems(text) }

    func testLiveSettings_networkURL_isLiveWithTheDefaults() throws {
        let p = try resolve("""
            cameras:
              - id: a
                url: udp://127.0.0.1:5000
              - id: b
                url: rtsp://cam.local/stream
            model:
              weights: w.pt
            """)
        XCTAssertEqual(p.cameras.map { $0.live }, [LiveSettings(), LiveSettings()])
        XCTAssertEqual(p.cameras[0].live?.stallTimeout, 10)
        XCTAssertEqual(p.cameras[0].live?.reconnect.giveUpAfter, nil, "a surveillance camera is waited for by default")
        XCTAssertTrue(p.isLive)
    }

    func testLiveSettings_recordedFile_isNotLive() throws {
        let p = try resolve("""
            cameras:
              - id: a
                url: a.mp4
              - id: b
                url: file:///data/b.mp4
            model:
              weights: w.pt
            """)
        XCTAssertEqual(p.cameras.map { $0.live == nil }, [true, true])
        XCTAssertFalse(p.isLive)
    }

    func testLiveSettings_cameraKeys_overrideTheFilesWhichOverrideTheDefaults() throws {
        let p = try resolve("""
            cameras:
              - id: a
                url: fifo.ts
                live: true
                stall_timeout: 3
                reconnect:
                  max: 5
              - id: b
                url: http://127.0.0.1:8080/b
            model:
              weights: w.pt
            stall_timeout: 4
            reconnect:
              initial: 0.5
              give_up_after: 60
            """)
        var a = LiveSettings()
        a.stallTimeout = 3
        a.reconnect.initial = 0.5
        a.reconnect.max = 5
        a.reconnect.giveUpAfter = 60
        var b = LiveSettings()
        b.stallTimeout = 4
        b.reconnect.initial = 0.5
        b.reconnect.giveUpAfter = 60
        XCTAssertEqual(p.cameras[0].live, a)
        XCTAssertEqual(p.cameras[1].live, b)
    }

    func testLiveSettings_badValues_nameFileLineAndColumn() throws {
        XCTAssertEqual(try problems("""
            cameras:
              - id: a
                url: udp://127.0.0.1:5000
                stall_timeout: 0
                reconnect:
                  multiplier: 0.5
            model:
              weights: w.pt
            reconnect:
              initial: 4
              max: 2
              give_up_after: -1
            """), [
                "p.yaml:4:20: stall_timeout must be positive seconds, got 0.0",
                "p.yaml:6:19: multiplier must be 1 or more, got 0.5",
                "p.yaml:11:8: max (2.0 s) is below initial (4.0 s) — make max at least initial",
                "p.yaml:12:18: give_up_after must be positive seconds (leave it out to never give up), got -1.0",
            ])
    }

    func testLiveSettings_liveAndRecordedCamerasTogether_areRefusedNamingTheRecordedOne() throws {
        XCTAssertEqual(try problems("""
            cameras:
              - id: street
                url: udp://127.0.0.1:5000
              - id: archive
                url: archive.mp4
            model:
              weights: w.pt
            """), [
                "p.yaml:5:10: camera `archive` is recorded footage in a pipeline with live cameras — run recorded and live "
                    + "cameras in separate pipelines (live times are seconds since the run started)",
            ])
    }

    func testLiveSettings_liveKeysOnARecordedCamera_areRefused() throws {
        XCTAssertEqual(try problems("""
            cameras:
              - id: a
                url: a.mp4
                stall_timeout: 3
            model:
              weights: w.pt
            """), [
                "p.yaml:4:20: stall_timeout applies to live cameras only — remove it, or add `live: true` for a stream FFmpeg opens as a file",
            ])
    }

    func testLiveSettings_effective_printsEveryLiveKeyAndReadsBackTheSame() throws {
        let fixture = PipelineFileFixture(folder: folder)
        let file = try PipelineFile.load(fixture.write("""
            cameras:
              - id: a
                url: udp://127.0.0.1:5000
                stall_timeout: 3
            model:
              weights: w.pt
            reconnect:
              give_up_after: 60
            """))
        let effective = file.effective(try file.resolve())
        XCTAssertEqual(effective.cameras[0].live, true)
        XCTAssertEqual(effective.cameras[0].stallTimeout, 3)
        XCTAssertEqual(effective.cameras[0].reconnect, ReconnectConfig(initial: 1, multiplier: 2, max: 30, giveUpAfter: 60))
        let again = try PipelineFile.load(fixture.write(try effective.yamlText(header: "effective"), name: "effective.yaml"))
        XCTAssertEqual(try again.resolve().cameras[0].live, try file.resolve().cameras[0].live)
        XCTAssertEqual(again.effective(try again.resolve()), effective)
    }

    func testLiveSettings_detectionsLatency_cameraOverFileOverTheDefault() throws {
        let p = try resolve("""
            cameras:
              - id: a
                url: udp://127.0.0.1:5000
                detections:
                  path: a.jsonl
                detections_latency: 0.2
              - id: b
                url: udp://127.0.0.1:5001
                detections:
                  path: b.jsonl
              - id: c
                url: udp://127.0.0.1:5002
            model:
              weights: w.pt
            detections_latency: 2
            """)
        XCTAssertEqual(p.cameras.map { $0.live?.detectionsLatency }, [0.2, 2, 2])
        XCTAssertEqual(p.cameras[0].detections?.format, .jsonl)
        XCTAssertEqual(p.cameras[0].detections?.url.lastPathComponent, "a.jsonl")
        XCTAssertEqual(LiveSettings().detectionsLatency, 0.5)
    }

    func testLiveSettings_badDetectionsOnALiveCamera_nameFileLineColumnAndWhatToDo() throws {
        XCTAssertEqual(try problems("""
            cameras:
              - id: a
                url: udp://127.0.0.1:5000
                detections:
                  path: a.det.txt
                detections_latency: -1
              - id: b
                url: udp://127.0.0.1:5001
                detections:
                  path: b.txt
                  format: mot
            model:
              weights: w.pt
            detections_latency: -0.5
            """), [
                "p.yaml:6:25: detections_latency must be 0 or more seconds, got -1.0",
                "p.yaml:5:13: a live camera's detections are a JSONL stream keyed by `pts` or `wall_time` (a file a detector "
                    + "appends to, or a named pipe), not a MOT det.txt — name a `.jsonl` path or set `format: jsonl`",
                "p.yaml:11:15: a live camera's detections are a JSONL stream keyed by `pts` or `wall_time` (a file a detector "
                    + "appends to, or a named pipe), not a MOT det.txt — name a `.jsonl` path or set `format: jsonl`",
                "p.yaml:14:21: detections_latency must be 0 or more seconds, got -0.5",
            ])
    }

    func testLiveSettings_detectionsLatencyOnARecordedCamera_isRefused() throws {
        XCTAssertEqual(try problems("""
            cameras:
              - id: a
                url: a.mp4
                detections_latency: 1
            model:
              weights: w.pt
            """), [
                "p.yaml:4:25: detections_latency applies to live cameras only — remove it, or add `live: true` for a stream FFmpeg opens as a file",
            ])
    }

    func testLiveSettings_fileLiveDefaultsWithNoLiveCamera_areRefused() throws {
        XCTAssertEqual(try problems("""
            cameras:
              - id: a
                url: a.mp4
            model:
              weights: w.pt
            detections_latency: 1
            stall_timeout: 3
            """), [
                "p.yaml:6:21: detections_latency applies to live cameras only and no camera here is live — remove it, or add `live: true` to a camera for a stream FFmpeg opens as a file",
                "p.yaml:7:16: stall_timeout applies to live cameras only and no camera here is live — remove it, or add `live: true` to a camera for a stream FFmpeg opens as a file",
            ])
    }

    func testLiveSettings_effective_printsDetectionsLatencyOnlyForCamerasWithDetections() throws {
        let fixture = PipelineFileFixture(folder: folder)
        let file = try PipelineFile.load(fixture.write("""
            cameras:
              - id: a
                url: udp://127.0.0.1:5000
                detections:
                  path: a.jsonl
              - id: b
                url: udp://127.0.0.1:5001
            model:
              weights: w.pt
            """))
        let effective = file.effective(try file.resolve())
        XCTAssertEqual(effective.cameras.map(\.detectionsLatency), [0.5, nil])
        let again = try PipelineFile.load(fixture.write(try effective.yamlText(header: "effective"), name: "effective.yaml"))
        XCTAssertEqual(again.effective(try again.resolve()), effective)
    }

    func testReconnectPolicy_delays_growByTheMultiplierUpToTheMaximum() {
        var policy = ReconnectPolicy()
        policy.initial = 0.5
        policy.multiplier = 3
        policy.max = 10
        XCTAssertEqual((0..<5).map { policy.delay(attempt: $0) }, [0.5, 1.5, 4.5, 10, 10])
    }

    func testReconnectPolicy_jitter_staysWithinTwentyPercent() {
        let policy = ReconnectPolicy()
        XCTAssertEqual(policy.delay(attempt: 1, unit: -1), 1.6, accuracy: 1e-12)
        XCTAssertEqual(policy.delay(attempt: 1, unit: 1), 2.4, accuracy: 1e-12)
        XCTAssertEqual(policy.delay(attempt: 1, unit: 7), 2.4, accuracy: 1e-12, "the unit is clamped to -1...1")
    }
}
