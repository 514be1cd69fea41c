import Foundation
import TestSupport
import XCTest

/// The two pipelines that ship in `Pipelines/`, run end to end as a user would: the demo on vtest.avi
/// and the default generated scene, with every event judged by the JSON Schema peer and the identities
/// scored by `panoptes score` and py-motmetrics.
final class ShippedPipelineTests: XCTestCase {
    /// Runs `Pipelines/<pipeline>` with `flags`, its events written to `dir/events.jsonl`; checks it exits
    /// 0 and returns the events, each judged by the schema peer.
    private func runShipped(_ pipeline: String, _ flags: [String], in dir: URL) throws -> [[String: Any]] {
        let events = dir.appendingPathComponent("events.jsonl")
        let r = try runProcess(Fixtures.panoptes, [
            "run", Fixtures.repoRoot.appendingPathComponent("Pipelines/\(pipeline)").path, "--events", events.path,
        ] + flags)
        XCTAssertEqual(r.status, 0, r.stderrText)
        return try validateEvents(events, in: dir)
    }

    private func validateEvents(_ events: URL, in dir: URL) throws -> [[String: Any]] {
        let schema = try RunFixtures.schemaFailures(events, scratch: dir)
        XCTAssertEqual(schema.failures, [], "every event validates against the schema")
        let lines = try String(contentsOf: events, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(schema.judged, lines.count)
        return try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func testSamplePipeline_vtestTwoOverlappingViews_matchesPeopleAcrossViewsAndWritesPlayableVideos() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let annotated = dir.appendingPathComponent("annotated")
        let all = try runShipped("sample.yaml", ["--annotate", annotated.path], in: dir)
        XCTAssertEqual(all.first?["type"] as? String, "run_started")
        XCTAssertEqual(all.last?["type"] as? String, "run_finished")
        // The views overlap: people walking from one into the other keep their identity.
        let crossings = all.filter { $0["type"] as? String == "identity_matched" && $0["from_camera"] as? String != $0["camera"] as? String }
        XCTAssertGreaterThan(crossings.count, 0, "someone was matched across the two views")
        for camera in ["left", "right"] {
            let video = annotated.appendingPathComponent("\(camera).mp4")
            let probe = try runProcess(URL(fileURLWithPath: "/usr/bin/ffprobe"), [
                "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,width,height",
                "-of", "csv=p=0", video.path,
            ])
            XCTAssertEqual(probe.status, 0, probe.stderrText)
            XCTAssertEqual(probe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "416,576,795",
                           "\(camera): every frame of the 416x576 view is in the annotated video")
        }
    }

    func testSynth4camPipeline_defaultScene_identitiesScoreAlikeInPanoptesAndMotmetricsAndReachTheTarget() throws {
        let scene = Fixtures.samples.appendingPathComponent("synth-4cam")
        if !FileManager.default.fileExists(atPath: scene.appendingPathComponent("scene.json").path) {
            let made = try runProcess(Fixtures.panoptes, ["synth", "--out", scene.path, "--weights", Fixtures.mobilenetWeights.path])
            XCTAssertEqual(made.status, 0, made.stderrText)
        }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tracks = dir.appendingPathComponent("tracks")
        _ = try runShipped("synth-4cam.yaml", ["--tracks-dir", tracks.path], in: dir)
        let score = try runProcess(Fixtures.panoptes, ["score", "--gt", scene.path, "--tracks", tracks.path, "--json"])
        XCTAssertEqual(score.status, 0, score.stderrText)
        let ours = try XCTUnwrap(JSONSerialization.jsonObject(with: score.stdout) as? [String: Any])
        let ourIDF1 = try XCTUnwrap((ours["combined"] as? [String: Any])?["idf1"] as? Double)
        let peer = try JSONSerialization.jsonObject(with: runPeer("synth_motmetrics.py", [scene.path, tracks.path]).stdout)
            as? [String: [String: [String: Double]]]
        let peerIDF1 = try XCTUnwrap(peer?[tracks.path]?["all"]?["idf1"])
        XCTAssertEqual(ourIDF1, peerIDF1, accuracy: 1e-9, "panoptes score and py-motmetrics agree")
        XCTAssertGreaterThanOrEqual(ourIDF1, 0.80, "multi-camera IDF1 on the default scene meets the worst-scene target")
    }
}
