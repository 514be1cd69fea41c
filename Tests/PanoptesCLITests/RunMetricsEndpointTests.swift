import Foundation
import TestSupport
import XCTest

/// `panoptes run --metrics`, end to end: the built binary serves `/metrics` and `/healthz` while it
/// runs; Python's `prometheus_client` parser (the peer) reads every scrape, and the final scrape's
/// counters equal the run's summary table and event file. Bad addresses exit 2 naming the flag or key.
final class RunMetricsEndpointTests: XCTestCase {
    /// The 2-camera scene `RunCommandTests` runs (made once per test process).
    private var scene: URL!
    private var out: URL!

    override func setUpWithError() throws {
        scene = try RunFixtures.scene(cameras: 2, people: 4, seconds: 12, seed: 7)
        out = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: out)
    }

    /// One scrape as the peer parsed it.
    private struct Scrape: Decodable {
        struct Family: Decodable {
            var type: String
            var samples: [Sample]
        }

        /// `[name, {labels}, value]`.
        struct Sample: Decodable {
            var name: String
            var labels: [String: String]
            var value: Double

            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                name = try c.decode(String.self)
                labels = try c.decode([String: String].self)
                value = try c.decode(Double.self)
            }
        }

        var status: Int
        var content_type: String?
        var families: [String: Family]?
        var body: String?

        /// The value of sample `name` with `labels`; fails the test when absent.
        func value(_ name: String, _ labels: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> Double {
            for family in (families ?? [:]).values {
                if let s = family.samples.first(where: { $0.name == name && $0.labels == labels }) { return s.value }
            }
            XCTFail("no sample \(name)\(labels)", file: file, line: line)
            return .nan
        }
    }

    private func scrape(_ url: String, body: Bool = false) throws -> Scrape {
        let r = try runPeer("metrics_prometheus.py", body ? ["--body", url] : [url])
        return try JSONDecoder().decode(Scrape.self, from: Data(r.stdoutText.utf8))
    }

    /// The address the run printed (`metrics on http://HOST:PORT/metrics and /healthz`).
    private func served(_ run: RunningProcess, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        XCTAssertTrue(run.waitUntil(timeout: 30) { $1.contains("/metrics and /healthz\n") }, run.stderrText, file: file, line: line)
        let text = run.stderrText
        let start = try XCTUnwrap(text.range(of: "metrics on http://"), text, file: file, line: line).upperBound
        let end = try XCTUnwrap(text.range(of: "/metrics and /healthz", range: start..<text.endIndex), file: file, line: line).lowerBound
        return "http://" + text[start..<end]
    }

    /// The summary table's row for `camera`: frames, detections, embedded, tracks.
    private func summaryRow(_ stderr: String, _ camera: String) throws -> [Int] {
        let row = try XCTUnwrap(stderr.split(separator: "\n").last { $0.hasPrefix(camera + " ") }, stderr)
        return row.split(separator: " ").dropFirst().prefix(4).compactMap { Int($0) }
    }

    /// The integer right after `label ` in the summary (`\nidentities 5`, `held at the end), events 83`, `crops/s in 40 batches`).
    private func summaryNumber(_ stderr: String, after label: String) throws -> Int {
        let start = try XCTUnwrap(stderr.range(of: label + " "), "\(label) in \(stderr)").upperBound
        return try XCTUnwrap(Int(stderr[start...].prefix { $0.isNumber }), stderr)
    }

    func testRunMetrics_scrapedDuringAndAfterTheRun_parseAsPrometheusAndEqualTheSummary() throws {
        let eventsURL = out.appendingPathComponent("events.jsonl")
        let run = try RunningProcess(Fixtures.panoptes, [
            "run", scene.appendingPathComponent("pipeline.yaml").path, "--events", eventsURL.path,
            "--metrics", "127.0.0.1:0", "--metrics-linger", "120",
        ])
        let base = try served(run)

        // While it runs: a valid exposition, counts not final yet.
        let early = try scrape(base + "/metrics")
        XCTAssertEqual(early.status, 200)
        XCTAssertEqual(early.content_type, "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(early.value("panoptes_run_finished"), 0, "the first scrape comes before the end")
        XCTAssertEqual(early.families?["panoptes_embedding_batch_seconds"]?.type, "histogram")
        XCTAssertEqual(early.families?["panoptes_camera_frames_decoded"]?.type, "counter")
        XCTAssertEqual(early.families?["panoptes_camera_up"]?.type, "gauge")

        // After the summary: the final counts, until one more scrape.
        XCTAssertTrue(run.waitUntil(timeout: 300) { $1.contains("serving the final metrics") }, run.stderrText)
        let health = try scrape(base + "/healthz", body: true)
        let final = try scrape(base + "/metrics")
        let exit = run.waitForExit(timeout: 30)
        XCTAssertTrue(exit.exited)
        XCTAssertEqual(exit.status, 0, "it exits after the final scrape, long before --metrics-linger 120: \(run.stderrText)")
        let stderr = run.stderrText

        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.content_type, "application/json")
        struct Health: Decodable {
            struct Camera: Decodable { var id: String; var state: String; var frames_decoded: Int; var reconnects: Int }
            var status: String
            var run: String
            var cameras: [Camera]
        }
        let h = try JSONDecoder().decode(Health.self, from: Data((health.body ?? "").utf8))
        XCTAssertEqual(h.status, "ok")
        XCTAssertEqual(h.run, "finished")
        XCTAssertEqual(h.cameras.map(\.id), ["cam1", "cam2"])
        XCTAssertEqual(h.cameras.map(\.state), ["finished", "finished"])

        var totalEmbedded = 0
        for camera in ["cam1", "cam2"] {
            let row = try summaryRow(stderr, camera)
            XCTAssertEqual(row.count, 4, stderr)
            let l = ["camera": camera]
            XCTAssertEqual(final.value("panoptes_camera_frames_tracked_total", l), Double(row[0]))
            XCTAssertEqual(final.value("panoptes_camera_frames_decoded_total", l), Double(row[0]), "every decoded frame was tracked")
            XCTAssertEqual(final.value("panoptes_camera_detections_total", l), Double(row[1]))
            XCTAssertEqual(final.value("panoptes_camera_embeddings_total", l), Double(row[2]))
            XCTAssertEqual(final.value("panoptes_camera_tracks_total", l), Double(row[3]))
            XCTAssertEqual(h.cameras.first { $0.id == camera }?.frames_decoded, row[0])
            XCTAssertGreaterThan(row[0], 0)
            XCTAssertLessThanOrEqual(early.value("panoptes_camera_frames_decoded_total", l), Double(row[0]))
            XCTAssertEqual(final.value("panoptes_camera_frames_dropped_total", l), 0, "recorded footage drops nothing")
            XCTAssertEqual(final.value("panoptes_camera_reconnects_total", l), 0)
            XCTAssertEqual(final.value("panoptes_camera_decode_errors_total", l), 0)
            XCTAssertEqual(final.value("panoptes_camera_up", l), 0)
            XCTAssertEqual(final.value("panoptes_camera_state", l.merging(["state": "finished"]) { $1 }), 1)
            XCTAssertEqual(final.value("panoptes_camera_state", l.merging(["state": "up"]) { $1 }), 0)
            XCTAssertEqual(final.value("panoptes_camera_live_tracks", l), 0, "every track ended with the footage")
            XCTAssertGreaterThan(final.value("panoptes_camera_frames_per_second", l), 0)
            XCTAssertEqual(final.value("panoptes_queue_depth", ["queue": "frames/\(camera)"]), 0)
            XCTAssertEqual(final.value("panoptes_queue_capacity", ["queue": "frames/\(camera)"]), 8)
            totalEmbedded += row[2]
        }
        XCTAssertEqual(final.value("panoptes_embedded_crops_total"), Double(totalEmbedded))
        XCTAssertEqual(final.value("panoptes_identities_created_total"), Double(try summaryNumber(stderr, after: "\nidentities")))
        let events = try summaryNumber(stderr, after: "held at the end), events")
        XCTAssertEqual(final.value("panoptes_events_written_total"), Double(events))
        let lines = try String(contentsOf: eventsURL, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(events, lines, "the summary's events are the file's lines")
        XCTAssertEqual(final.value("panoptes_embedding_batch_seconds_count"), Double(try summaryNumber(stderr, after: "crops/s in")))
        XCTAssertEqual(final.value("panoptes_embedding_batch_seconds_bucket", ["le": "+Inf"]),
                       final.value("panoptes_embedding_batch_seconds_count"))
        XCTAssertEqual(final.value("panoptes_run_finished"), 1)
    }

    func testRunMetrics_cameraUnreadable_healthzAnswers503WithTheCameraInError() throws {
        let pipeline = try RunFixtures.pipeline(out.appendingPathComponent("p.yaml"), cameras: [
            ("cam1", scene.appendingPathComponent("cam1.mp4"), scene.appendingPathComponent("cam1.det.txt")),
            ("gone", out.appendingPathComponent("missing.mp4"), nil),
        ], extra: "output:\n  events: events.jsonl\n  metrics: 127.0.0.1:0\n")
        let run = try RunningProcess(Fixtures.panoptes, ["run", pipeline.path, "--metrics-linger", "120"])
        let base = try served(run)
        XCTAssertTrue(run.waitUntil(timeout: 300) { $1.contains("serving the final metrics") }, run.stderrText)
        let health = try scrape(base + "/healthz", body: true)
        let final = try scrape(base + "/metrics")
        XCTAssertEqual(run.waitForExit(timeout: 30).status, 3, run.stderrText)
        XCTAssertEqual(health.status, 503)
        XCTAssertTrue(health.body?.contains(#""status":"degraded""#) == true, health.body ?? "")
        XCTAssertTrue(health.body?.contains(#""id":"gone","last_time":null"#) == false, "absent, not null: \(health.body ?? "")")
        XCTAssertTrue(health.body?.contains(#""state":"error""#) == true, health.body ?? "")
        XCTAssertEqual(final.value("panoptes_camera_state", ["camera": "gone", "state": "error"]), 1)
        XCTAssertEqual(final.value("panoptes_camera_state", ["camera": "cam1", "state": "finished"]), 1)
        XCTAssertEqual(final.value("panoptes_camera_frames_decoded_total", ["camera": "gone"]), 0)
    }

    func testRunMetrics_notFoundAndLingerTimeOut() throws {
        let run = try RunningProcess(Fixtures.panoptes, [
            "run", scene.appendingPathComponent("pipeline.yaml").path, "--events", out.appendingPathComponent("e.jsonl").path,
            "--metrics", ":0", "--metrics-linger", "0.5",
        ])
        let base = try served(run)
        XCTAssertTrue(base.hasPrefix("http://127.0.0.1:"), "a port alone listens on loopback: \(base)")
        let missing = try scrape(base + "/nothing", body: true)
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.body?.contains("/healthz, /metrics") == true, missing.body ?? "")
        let exit = run.waitForExit(timeout: 300)
        XCTAssertEqual(exit.status, 0, "nobody scraped at the end: it exits after 0.5 s: \(run.stderrText)")
    }

    func testRunMetrics_sigintWhileLingering_endsTheWaitAtOnce() throws {
        let run = try RunningProcess(Fixtures.panoptes, [
            "run", scene.appendingPathComponent("pipeline.yaml").path, "--events", out.appendingPathComponent("e.jsonl").path,
            "--metrics", "127.0.0.1:0", "--metrics-linger", "120",
        ])
        XCTAssertTrue(run.waitUntil(timeout: 300) { $1.contains("serving the final metrics") }, run.stderrText)
        run.send(SIGINT)
        let exit = run.waitForExit(timeout: 10)
        XCTAssertFalse(exit.exited, "SIGINT's default action ends it, not the 120 s time-out")
        XCTAssertEqual(exit.status, SIGINT)
    }

    // MARK: Bad addresses

    private func assertRefused(_ arguments: [String], says expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let events = out.appendingPathComponent("refused.jsonl")
        let r = try runProcess(Fixtures.panoptes, ["run", scene.appendingPathComponent("pipeline.yaml").path,
                                                    "--events", events.path] + arguments)
        XCTAssertEqual(r.status, 2, r.stderrText, file: file, line: line)
        for text in expected { XCTAssertTrue(r.stderrText.contains(text), "\(text) in: \(r.stderrText)", file: file, line: line) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: events.path), "nothing written", file: file, line: line)
    }

    func testRunMetrics_nonsense_exits2SayingHowToWriteTheAddress() throws {
        try assertRefused(["--metrics", "nonsense"],
                          says: ["--metrics: `nonsense` is not HOST:PORT — write HOST:PORT, like 127.0.0.1:9464"])
    }

    func testRunMetrics_portOutOfRange_exits2() throws {
        try assertRefused(["--metrics", "127.0.0.1:99999"],
                          says: ["--metrics: port 99999 in `127.0.0.1:99999` is out of range — use 1 to 65535, or 0 for any free port"])
    }

    func testRunMetrics_portInUse_exits2NamingTheFlagAndWhatToDo() throws {
        // A first run holds a port; a second one asking for it is refused.
        let first = try RunningProcess(Fixtures.panoptes, [
            "run", scene.appendingPathComponent("pipeline.yaml").path, "--events", out.appendingPathComponent("first.jsonl").path,
            "--metrics", "127.0.0.1:0",
        ])
        defer {
            first.send(SIGKILL)
            _ = first.waitForExit()
        }
        let address = try served(first).dropFirst("http://".count)
        try assertRefused(["--metrics", String(address)],
                          says: ["error: --metrics: cannot serve metrics on \(address): the port is in use by another program — choose another port, or 0 for any free one"])
    }

    func testRunMetrics_badKeyInFile_exits2WithLineAndColumn() throws {
        let pipeline = try RunFixtures.pipeline(out.appendingPathComponent("p.yaml"), cameras: [
            ("a", scene.appendingPathComponent("cam1.mp4"), nil),
        ], extra: "output:\n  metrics: localhost:http\n")
        let r = try runProcess(Fixtures.panoptes, ["run", pipeline.path])
        XCTAssertEqual(r.status, 2, r.stderrText)
        XCTAssertTrue(r.stderrText.contains("\(pipeline.path):7:12: metrics: `localhost:http` is not HOST:PORT"), r.stderrText)
    }

    func testRunMetrics_lingerWithoutAnAddress_exits2() throws {
        try assertRefused(["--metrics-linger", "5"], says: ["--metrics-linger needs --metrics HOST:PORT (or output.metrics in the pipeline file)"])
    }
}
