import Foundation
import XCTest

@testable import Pipeline

/// What `/metrics` and `/healthz` say for given counts, without HTTP: every series comes from
/// `RunStatistics`, including the ones only live inputs move today (dropped frames, reconnects, `down`).
final class RunMetricsTests: XCTestCase {
    /// Two cameras: `a` up with 3 frames decoded (1 damaged packet skipped), 2 dropped and 1 reconnect
    /// (as a live input will count them), 2 tracked; `b` failed. Two embedding batches.
    private func statistics() -> RunStatistics {
        let s = RunStatistics(cameras: ["a", "b"])
        s.setState(camera: 0, .up)
        for _ in 0..<3 { s.decoded(camera: 0, decodeErrors: 1) }
        s.droppedFrames(camera: 0, count: 2)
        s.reconnected(camera: 0)
        s.embedded(crops: 4, seconds: 0.03)
        s.embedded(crops: 2, seconds: 0.2)
        s.update {
            $0.cameras[0].frames = 2
            $0.cameras[0].detections = 6
            $0.cameras[0].embeddings = 6
            $0.cameras[0].tracks = 1
            $0.cameras[0].liveTracks = 1
            $0.cameras[0].lastTime = 0.2
            $0.cameras[1].error = "cannot open b.mp4"
            $0.identities = 1
            $0.identitiesCreated = 1
            $0.events = 3
        }
        s.setState(camera: 1, .error)
        s.watch(queue: "merged", BoundedChannel<Int>(capacity: 16))
        return s
    }

    /// Counters print as integers, gauges as swift-prometheus writes a Double (`1.0`).
    func testRunMetrics_statistics_areTheSeriesOfTheExposition() throws {
        let text = statistics().prometheusText()
        for line in [
            "# TYPE panoptes_camera_frames_decoded_total counter",
            #"panoptes_camera_frames_decoded_total{camera="a"} 3"#,
            #"panoptes_camera_frames_decoded_total{camera="b"} 0"#,
            #"panoptes_camera_frames_tracked_total{camera="a"} 2"#,
            #"panoptes_camera_frames_dropped_total{camera="a"} 2"#,
            #"panoptes_camera_decode_errors_total{camera="a"} 1"#,
            #"panoptes_camera_reconnects_total{camera="a"} 1"#,
            #"panoptes_camera_detections_total{camera="a"} 6"#,
            #"panoptes_camera_embeddings_total{camera="a"} 6"#,
            #"panoptes_camera_tracks_total{camera="a"} 1"#,
            #"panoptes_camera_live_tracks{camera="a"} 1.0"#,
            #"panoptes_camera_up{camera="a"} 1.0"#,
            #"panoptes_camera_up{camera="b"} 0.0"#,
            #"panoptes_camera_state{camera="a",state="up"} 1.0"#,
            #"panoptes_camera_state{camera="a",state="finished"} 0.0"#,
            #"panoptes_camera_state{camera="b",state="error"} 1.0"#,
            #"panoptes_queue_depth{queue="merged"} 0.0"#,
            #"panoptes_queue_capacity{queue="merged"} 16.0"#,
            "# TYPE panoptes_embedding_batch_seconds histogram",
            #"panoptes_embedding_batch_seconds_bucket{le="0.025"} 0"#,
            #"panoptes_embedding_batch_seconds_bucket{le="0.05"} 1"#,
            #"panoptes_embedding_batch_seconds_bucket{le="0.25"} 2"#,
            #"panoptes_embedding_batch_seconds_bucket{le="+Inf"} 2"#,
            "panoptes_embedding_batch_seconds_count 2",
            "panoptes_embedded_crops_total 6",
            "panoptes_identities 1.0",
            "panoptes_identities_created_total 1",
            "panoptes_events_written_total 3",
            "panoptes_run_finished 0.0",
        ] {
            XCTAssertTrue(text.split(separator: "\n").contains(Substring(line)), "\(line) in:\n\(text)")
        }
        XCTAssertTrue(text.contains(#"panoptes_camera_frames_per_second{camera="a"} "#), text)
    }

    func testRunMetrics_scrapedTwice_countersDoNotAddUp() {
        let s = statistics()
        _ = s.prometheusText()
        let text = s.prometheusText()
        XCTAssertTrue(text.contains(#"panoptes_camera_frames_decoded_total{camera="a"} 3"#), text)
        XCTAssertTrue(text.contains("panoptes_embedding_batch_seconds_count 2"), text)
    }

    func testRunHealth_oneCameraFailed_isDegradedWith503AndSaysWhy() {
        let s = statistics()
        let health = RunHealth(s.snapshot, stopping: false)
        XCTAssertEqual(health.status, .degraded)
        XCTAssertEqual(health.httpStatus, 503)
        XCTAssertEqual(health.json, #"{"cameras":[{"decode_errors":1,"frames_decoded":3,"frames_dropped":2,"id":"a","last_time":0.2,"#
                       + #""reconnects":1,"state":"up"},{"decode_errors":0,"error":"cannot open b.mp4","frames_decoded":0,"#
                       + #""frames_dropped":0,"id":"b","reconnects":0,"state":"error"}],"run":"running","status":"degraded"}"#)
    }

    func testRunHealth_everyCameraFinished_isOkWith200() {
        let s = RunStatistics(cameras: ["a"])
        s.setState(camera: 0, .up)
        s.setState(camera: 0, .finished)
        s.update { $0.runFinished = true }
        let health = RunHealth(s.snapshot, stopping: true)
        XCTAssertEqual(health.status, .ok)
        XCTAssertEqual(health.run, .finished, "a finished run is finished, whatever stopped it")
        XCTAssertEqual(health.httpStatus, 200)
    }

    func testRunHealth_everyCameraDownOrFailed_isFailed() {
        let s = RunStatistics(cameras: ["a", "b"])
        s.setState(camera: 0, .down)
        s.setState(camera: 1, .error)
        XCTAssertEqual(RunHealth(s.snapshot, stopping: true).status, .failed)
        XCTAssertEqual(RunHealth(s.snapshot, stopping: true).run, .stopping)
    }

    func testMetricsAddress_forms_parseToHostAndPort() throws {
        XCTAssertEqual(try MetricsAddress.parse("127.0.0.1:9464"), MetricsAddress(host: "127.0.0.1", port: 9464))
        XCTAssertEqual(try MetricsAddress.parse("0.0.0.0:0"), MetricsAddress(host: "0.0.0.0", port: 0))
        XCTAssertEqual(try MetricsAddress.parse(":9464"), MetricsAddress(port: 9464))
        XCTAssertEqual(try MetricsAddress.parse("9464"), MetricsAddress(host: "127.0.0.1", port: 9464))
        XCTAssertEqual(try MetricsAddress.parse("localhost:80"), MetricsAddress(host: "localhost", port: 80))
        XCTAssertEqual(try MetricsAddress.parse("[::1]:9464"), MetricsAddress(host: "::1", port: 9464))
        XCTAssertEqual(MetricsAddress(host: "::1", port: 9464).description, "[::1]:9464")
    }

    func testMetricsAddress_badForms_sayWhatToWrite() {
        let cases = [
            "nonsense": "`nonsense` is not HOST:PORT — write HOST:PORT, like 127.0.0.1:9464 (a port alone listens on 127.0.0.1; port 0 picks a free one)",
            "127.0.0.1:99999": "port 99999 in `127.0.0.1:99999` is out of range — use 1 to 65535, or 0 for any free port",
            "127.0.0.1:": "`127.0.0.1:` is not HOST:PORT — write HOST:PORT, like 127.0.0.1:9464 (a port alone listens on 127.0.0.1; port 0 picks a free one)",
            "::1:9464": "`::1:9464` is not an address — an IPv6 host goes in brackets, like [::1]:9464",
            "host:-1": "`host:-1` is not HOST:PORT — write HOST:PORT, like 127.0.0.1:9464 (a port alone listens on 127.0.0.1; port 0 picks a free one)",
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try MetricsAddress.parse(text), text) { XCTAssertEqual("\($0)", message) }
        }
    }
}
