import Foundation
import TestSupport
import XCTest

/// `panoptes run` end to end on generated footage: what an operator checks in the event file, the
/// track files and the exit code.
final class RunCommandTests: XCTestCase {
    /// A small 2-camera scene generated once per test process (2 cameras, 4 people, 12 s, 320x180).
    private func scene() throws -> URL { try RunFixtures.scene(cameras: 2, people: 4, seconds: 12, seed: 7) }

    private func events(_ url: URL) throws -> [RunFixtures.Event] { try RunFixtures.events(url) }

    func testRun_generatedScene_writesAValidEventStreamWithOneStartAndOneEndPerTrack() throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let eventsURL = out.appendingPathComponent("events.jsonl")
        let r = try runProcess(Fixtures.panoptes, [
            "run", scene.appendingPathComponent("pipeline.yaml").path, "--events", eventsURL.path,
            "--tracks-dir", out.appendingPathComponent("tracks").path,
        ])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stderrText.contains("total"), "the summary table: \(r.stderrText)")
        XCTAssertTrue(r.stderrText.contains("peak RSS"), r.stderrText)
        let all = try events(eventsURL)
        XCTAssertEqual(all.map(\.seq), Array(1...all.count), "seq starts at 1 and rises by 1")
        XCTAssertEqual(all.first?.type, "run_started")
        XCTAssertEqual(all.last?.type, "run_finished")
        XCTAssertEqual(all.last?.reason, "completed")
        XCTAssertTrue(all.allSatisfy { $0.v == 1 })
        var started: [String: Int] = [:], ended: [String: Int] = [:]
        for e in all where e.type == "track_started" { started["\(e.camera!)/\(e.track!)", default: 0] += 1 }
        for e in all where e.type == "track_ended" { ended["\(e.camera!)/\(e.track!)", default: 0] += 1 }
        XCTAssertGreaterThan(started.count, 4)
        XCTAssertEqual(started, ended, "every confirmed track starts once and ends once, also at the end of the footage")
        XCTAssertTrue(started.values.allSatisfy { $0 == 1 })
        XCTAssertTrue(all.contains { $0.type == "identity_assigned" })

        // Every event validates against the schema `tail --schema` prints, judged by Python's jsonschema.
        let schema = try RunFixtures.schemaFailures(eventsURL, scratch: out)
        XCTAssertEqual(schema.judged, all.count)
        XCTAssertEqual(schema.failures, [])

        // The track files carry global identities: `panoptes score` and py-motmetrics read them alike.
        let tracks = out.appendingPathComponent("tracks")
        let score = try runProcess(Fixtures.panoptes, ["score", "--gt", scene.path, "--tracks", tracks.path, "--json"])
        XCTAssertEqual(score.status, 0, score.stderrText)
        let ours = try JSONSerialization.jsonObject(with: score.stdout) as? [String: Any]
        let peer = try JSONSerialization.jsonObject(with: runPeer("synth_motmetrics.py", [scene.path, tracks.path]).stdout)
            as? [String: [String: [String: Double]]]
        let peerIDF1 = try XCTUnwrap(peer?[tracks.path]?["all"]?["idf1"])
        let ourIDF1 = try XCTUnwrap((ours?["combined"] as? [String: Any])?["idf1"] as? Double, "\(String(describing: ours))")
        XCTAssertEqual(ourIDF1, peerIDF1, accuracy: 1e-9)
        XCTAssertGreaterThan(ourIDF1, 0.3, "identities follow people")

        // A second run appended to the same file goes on with its seqs.
        let again = try runProcess(Fixtures.panoptes, ["run", scene.appendingPathComponent("pipeline.yaml").path, "--events", eventsURL.path])
        XCTAssertEqual(again.status, 0, again.stderrText)
        let both = try events(eventsURL)
        XCTAssertEqual(both.count, 2 * all.count, "the second run wrote the same events after the first's")
        XCTAssertEqual(both.map(\.seq), Array(1...both.count), "seq rises by 1 through both runs")
        XCTAssertEqual(both.filter { $0.type == "run_started" }.map(\.seq), [1, all.count + 1])
    }

    func testCalibrate_labelledScene_printsABlockWhoseValuesScoreAsReported() throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try runProcess(Fixtures.panoptes, [
            "calibrate", scene.appendingPathComponent("pipeline.yaml").path, "--recordings", out.path,
        ])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stderrText.contains("settings tried"), r.stderrText)
        // The block is YAML-lite to paste: PyYAML reads it, with every swept key.
        let blockFile = out.appendingPathComponent("block.yaml")
        try r.stdout.write(to: blockFile)
        let keys = try runProcess(Fixtures.python, ["-c", """
            import sys, yaml
            b = yaml.safe_load(open(sys.argv[1]))
            print(sorted(b["tracker"]), sorted(b["registry"]))
            """, blockFile.path])
        XCTAssertEqual(keys.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines),
                       "['max_cosine_distance'] ['correction_threshold', 'margin', 'match_threshold']", keys.stderrText)
        let reported = try XCTUnwrap(r.stdoutText.split(separator: "\n").first { $0.contains("mean multi-camera IDF1") })
        // The scene's pipeline with the block pasted in scores what the block says.
        let pasted = scene.appendingPathComponent("calibrated.yaml")
        defer { try? FileManager.default.removeItem(at: pasted) }
        try Data((try String(contentsOf: scene.appendingPathComponent("pipeline.yaml"), encoding: .utf8) + r.stdoutText).utf8).write(to: pasted)
        let check = try runProcess(Fixtures.panoptes, ["calibrate", pasted.path, "--score-only"])
        XCTAssertEqual(check.status, 0, check.stderrText)
        let mean = try XCTUnwrap(reported.split(separator: " ").drop { $0 != "IDF1" }.dropFirst().first).replacingOccurrences(of: ",", with: "")
        XCTAssertTrue(check.stdoutText.contains("multi-camera IDF1 \(mean)"), "block says \(reported); score-only says \(check.stdoutText)")
    }

    func testRun_twiceAndWithBatch1And16_writesByteIdenticalEvents() throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        var files: [Data] = []
        for (name, batch) in [("a", "16"), ("b", "16"), ("c", "1")] {
            let url = out.appendingPathComponent("\(name).jsonl")
            let r = try runProcess(Fixtures.panoptes, [
                "run", scene.appendingPathComponent("pipeline.yaml").path, "--events", url.path, "--batch-size", batch,
            ])
            XCTAssertEqual(r.status, 0, r.stderrText)
            files.append(try Data(contentsOf: url))
        }
        XCTAssertGreaterThan(files[0].count, 1000)
        XCTAssertEqual(files[0], files[1], "two runs of the same input give the same bytes")
        XCTAssertEqual(files[0], files[2], "batch 1 and batch 16 give the same bytes")
    }

    func testRun_oneCameraUnreadable_reportsCameraErrorFinishesTheOtherAndExits3() throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        // cam2's video is cut to its first 3 kB: its decoder cannot go on.
        let truncated = out.appendingPathComponent("cam2.mp4")
        try Data(try Data(contentsOf: scene.appendingPathComponent("cam2.mp4")).prefix(3000)).write(to: truncated)
        let pipeline = try RunFixtures.pipeline(out.appendingPathComponent("p.yaml"), cameras: [
            ("cam1", scene.appendingPathComponent("cam1.mp4"), scene.appendingPathComponent("cam1.det.txt")),
            ("cam2", truncated, scene.appendingPathComponent("cam2.det.txt")),
            ("cam3", out.appendingPathComponent("missing.mp4"), nil),
        ])
        let eventsURL = out.appendingPathComponent("events.jsonl")
        let r = try runProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", eventsURL.path])
        XCTAssertEqual(r.status, 3, r.stderrText)
        let all = try events(eventsURL)
        let errors = all.filter { $0.type == "camera_error" }
        XCTAssertEqual(Set(errors.compactMap(\.camera)), ["cam2", "cam3"])
        XCTAssertTrue(errors.first { $0.camera == "cam3" }?.message?.contains("missing.mp4") == true)
        XCTAssertEqual(all.last?.type, "run_finished")
        XCTAssertEqual(all.last?.reason, "completed_with_errors")
        XCTAssertTrue(all.contains { $0.type == "track_started" && $0.camera == "cam1" }, "the healthy camera was tracked")
        XCTAssertTrue(r.stderrText.contains("missing.mp4"), r.stderrText)
    }

    func testRun_badPipelineFile_exits2WithLineAndColumn() throws {
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let pipeline = out.appendingPathComponent("p.yaml")
        try Data("cameras:\n  - id: a\n    url: a.mp4\nmodel:\n  weight: w.pt\n".utf8).write(to: pipeline)
        let r = try runProcess(Fixtures.panoptes, ["run", pipeline.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderrText.contains("\(pipeline.path):5:3:"), r.stderrText)
        XCTAssertTrue(r.stderrText.contains("did you mean `weights`?"), r.stderrText)
    }
}
