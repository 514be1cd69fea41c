import Foundation
import TestSupport
import XCTest

/// `panoptes run --checkpoint` and `--resume`, end to end: a run stopped by SIGTERM or `kill -9` at
/// random moments and resumed each time writes the event and track files of a run that never stopped,
/// and a checkpoint that does not belong to the run is refused with what to do.
final class RunResumeTests: XCTestCase {
    /// 2 cameras, 6 people, 30 s at 10 fps, 320x180: long enough that six stops land mid-run.
    private func scene() throws -> URL { try RunFixtures.scene(cameras: 2, people: 6, seconds: 30, seed: 21) }

    /// The scene's own pipeline (its cameras, detections and transit windows) with a checkpoint every
    /// 2 seconds of media time, written beside it as `name`. Each track is embedded every other frame
    /// (`each_track`), whose decisions depend on the frames before: a resumed run must replay them.
    private func pipeline(_ scene: URL, name: String, weights: URL? = nil) throws -> URL {
        var text = try String(contentsOf: scene.appendingPathComponent("pipeline.yaml"), encoding: .utf8)
        if let weights { text = text.replacingOccurrences(of: Fixtures.mobilenetWeights.path, with: weights.path) }
        XCTAssertTrue(text.contains("\nmodel:\n"), "the scene's pipeline has a model section")
        text = text.replacingOccurrences(of: "\nmodel:\n", with: "\nmodel:\n  embed:\n    policy: each_track\n    every: 2\n")
        text += "output:\n  checkpoint_interval: 2\n"
        let url = scene.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// The lines of an event file other than the lifecycle events, with their `seq` left out: what must
    /// be equal, line for line, between a resumed run and one that never stopped.
    private func identityLines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { line in !["run_started", "run_resumed", "run_finished"].contains { line.contains("\"type\":\"\($0)\"") } }
            .map { $0.replacingOccurrences(of: #""seq":[0-9]+,"#, with: "", options: .regularExpression) }
    }

    func testResume_afterSixStopsBySigtermAndKill9AtRandomMoments_writesTheEventsAndTrackFilesOfARunThatNeverStopped() throws {
        let scene = try scene()
        let pipeline = try pipeline(scene, name: "resume-equality.yaml")
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }

        let referenceEvents = out.appendingPathComponent("reference.jsonl"), referenceTracks = out.appendingPathComponent("reference-tracks")
        let started = Date()
        let reference = try runProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", referenceEvents.path,
                                                           "--tracks-dir", referenceTracks.path])
        XCTAssertEqual(reference.status, 0, reference.stderrText)
        let duration = Date().timeIntervalSince(started)
        let expected = try identityLines(referenceEvents)
        XCTAssertGreaterThan(expected.filter { $0.contains("identity_matched") }.count, 0, "the scene re-identifies people")

        let events = out.appendingPathComponent("events.jsonl"), tracks = out.appendingPathComponent("tracks")
        let checkpoint = out.appendingPathComponent("state/checkpoint.json")
        let arguments = ["run", pipeline.path, "--events", events.path, "--tracks-dir", tracks.path, "--checkpoint", checkpoint.path]
        var random = SeededGenerator(seed: 0x5EED_0012)
        var resumes = 0, resumedBefore = 0
        for stop in 0..<6 {
            let resume = FileManager.default.fileExists(atPath: checkpoint.path)
            if resume { resumes += 1 }
            let before = (try? Data(contentsOf: events)) ?? Data()
            let run = try RunningProcess(Fixtures.panoptes, arguments + (resume ? ["--resume"] : []))
            // Each run gets at most an eighth of the uninterrupted run's time (start-up included), so
            // six runs never reach the end of the footage and every stop lands mid-run.
            Thread.sleep(forTimeInterval: duration * (0.04 + 0.08 * random.unit()))
            let signal = stop % 2 == 0 ? SIGTERM : SIGKILL
            run.send(signal)
            let exit = run.waitForExit(timeout: 60)
            if signal == SIGTERM, !exit.exited, exit.status == SIGTERM {
                // Before the traps are live (the loader alone takes tens of milliseconds on 150 libraries)
                // SIGTERM has its default action: the process ends having written nothing.
                XCTAssertEqual((try? Data(contentsOf: events)) ?? Data(), before, "stop \(stop): SIGTERM at start-up wrote events")
            } else if signal == SIGTERM {
                XCTAssertEqual(exit.status, 143, "stop \(stop): SIGTERM stops the run gracefully\n\(run.stderrText)")
            } else {
                XCTAssertFalse(exit.exited, "stop \(stop): the run was still going when killed")
            }
            let text = (try? String(contentsOf: events, encoding: .utf8)) ?? ""
            // A stop can land while the run still starts up (a faster engine shortens the whole run, and
            // with it these pauses); a resume that got as far as writing run_resumed said so on stderr.
            let resumedLines = text.split(separator: "\n").filter { $0.contains("\"type\":\"run_resumed\"") }.count
            if resumedLines > resumedBefore {
                XCTAssertTrue(run.stderrText.contains("resuming from \(checkpoint.path)"), "stop \(stop): \(run.stderrText)")
            }
            resumedBefore = resumedLines
            for line in text.split(separator: "\n").dropLast(text.hasSuffix("\n") ? 0 : 1) {
                XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), "stop \(stop): every whole line parses: \(line)")
            }
        }
        let last = try runProcess(Fixtures.panoptes, arguments + ["--resume"])
        XCTAssertEqual(last.status, 0, last.stderrText)
        resumes += 1

        XCTAssertEqual(try identityLines(events), expected, "the resumed run's events are the uninterrupted run's, line for line")
        let all = try RunFixtures.events(events)
        XCTAssertEqual(all.map(\.seq), Array(1...all.count), "seq rises by 1 through every resume")
        XCTAssertEqual(all.filter { $0.type == "run_started" }.count, 1)
        // A run killed while it loads its model writes nothing, not even run_resumed.
        XCTAssertTrue((1...resumes).contains(all.filter { $0.type == "run_resumed" }.count), "one run_resumed per resume that started")
        XCTAssertEqual(all.filter { $0.type == "run_finished" }.map(\.reason), ["completed"],
                       "the stops' own run_finished lines were cut away; the last run completed")
        XCTAssertEqual(all.last?.type, "run_finished")
        for camera in ["cam1", "cam2"] {
            let mine = try Data(contentsOf: tracks.appendingPathComponent("\(camera).txt"))
            XCTAssertEqual(mine, try Data(contentsOf: referenceTracks.appendingPathComponent("\(camera).txt")),
                           "\(camera).txt equals the uninterrupted run's")
            XCTAssertFalse(mine.isEmpty)
        }
        print("RunResumeTests: 6 stops (3 SIGTERM, 3 kill -9), \(resumes) resumes, \(expected.count) identity events equal")
    }

    /// A checkpoint taken at a periodic moment has the second camera one frame behind the first (both
    /// have a frame at that time, the first camera's comes first). A resume in which that camera ends
    /// before its first new frame (here its file no longer decodes; in CI it was a SIGTERM at once) ends it
    /// at the checkpoint's time: a `camera_error` for it, and the other camera runs to the end.
    func testResume_aLaggingCameraWhoseFileNoLongerDecodes_getsACameraErrorAndTheOtherCameraRunsToTheEnd() throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let cam2 = out.appendingPathComponent("cam2.mp4")
        try FileManager.default.copyItem(at: scene.appendingPathComponent("cam2.mp4"), to: cam2)
        let pipeline = try RunFixtures.pipeline(out.appendingPathComponent("p.yaml"), cameras: [
            ("cam1", scene.appendingPathComponent("cam1.mp4"), scene.appendingPathComponent("cam1.det.txt")),
            ("cam2", cam2, scene.appendingPathComponent("cam2.det.txt")),
        ], extra: "output:\n  checkpoint_interval: 2\n")
        let events = out.appendingPathComponent("events.jsonl"), checkpoint = out.appendingPathComponent("checkpoint.json")
        let arguments = ["run", pipeline.path, "--events", events.path, "--checkpoint", checkpoint.path]

        struct Saved: Decodable {
            struct Camera: Decodable { var id: String; var lastFrame: Int?; var lastTime: Double? }
            var time: Double
            var cameras: [Camera]
        }
        let run = try RunningProcess(Fixtures.panoptes, arguments)
        let periodic = run.waitUntil(file: checkpoint, timeout: 60) { data in
            ((try? JSONDecoder().decode(Saved.self, from: data))?.time ?? 0) > 0
        }
        run.send(SIGKILL)
        _ = run.waitForExit(timeout: 30)
        XCTAssertTrue(periodic, "a periodic checkpoint was written before the run ended: \(run.stderrText)")
        let saved = try JSONDecoder().decode(Saved.self, from: Data(contentsOf: checkpoint))
        let lagging = try XCTUnwrap(saved.cameras.first { $0.id == "cam2" }?.lastTime)
        XCTAssertLessThan(lagging, saved.time, "cam2's last tracked frame is before the checkpoint's time")

        try Data(try Data(contentsOf: cam2).prefix(3000)).write(to: cam2)
        let resumed = try runProcess(Fixtures.panoptes, arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 3, resumed.stderrText)
        XCTAssertFalse(resumed.stderrText.contains("earlier than the previous update"), resumed.stderrText)
        let all = try RunFixtures.events(events)
        let error = try XCTUnwrap(all.first { $0.type == "camera_error" }, "cam2's failure is an event")
        XCTAssertEqual(error.camera, "cam2")
        XCTAssertEqual(error.time, saved.time, "it ends at the checkpoint's time, where the run stood")
        XCTAssertEqual(all.last?.reason, "completed_with_errors")
        XCTAssertGreaterThan(all.filter { $0.camera == "cam1" }.map(\.time).max() ?? 0, 25, "cam1 ran to the end of its 30 s")
        XCTAssertEqual(all.map(\.seq), Array(1...all.count))
    }

    func testResume_refusesACheckpointOfAnotherPipelineOrWeights_andAnEventFileCutShort() throws {
        // Whole runs only here: the small scene `RunCommandTests` uses is enough.
        let scene = try RunFixtures.scene(cameras: 2, people: 4, seconds: 12, seed: 7)
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let weights = out.appendingPathComponent("weights.pt")
        try FileManager.default.copyItem(at: Fixtures.mobilenetWeights, to: weights)
        let pipeline = try pipeline(scene, name: "resume-refusal.yaml", weights: weights)
        let events = out.appendingPathComponent("events.jsonl"), checkpoint = out.appendingPathComponent("checkpoint.json")
        let arguments = ["run", pipeline.path, "--events", events.path, "--checkpoint", checkpoint.path]

        let missing = try runProcess(Fixtures.panoptes, arguments + ["--resume"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderrText.contains("no checkpoint at \(checkpoint.path)"), missing.stderrText)
        let unnamed = try runProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", events.path, "--resume"])
        XCTAssertEqual(unnamed.status, 2)
        XCTAssertTrue(unnamed.stderrText.contains("--resume needs a checkpoint"), unnamed.stderrText)

        let first = try runProcess(Fixtures.panoptes, arguments)
        XCTAssertEqual(first.status, 0, first.stderrText)
        let written = try Data(contentsOf: events)
        let savedCheckpoint = try Data(contentsOf: checkpoint)

        // The weights changed since (one byte appended): refused before anything is loaded or written.
        let handle = try FileHandle(forWritingTo: weights)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let otherWeights = try runProcess(Fixtures.panoptes, arguments + ["--resume"])
        XCTAssertEqual(otherWeights.status, 2)
        XCTAssertTrue(otherWeights.stderrText.contains("another version of \(weights.path) (the file changed since)"), otherWeights.stderrText)
        XCTAssertEqual(try Data(contentsOf: events), written, "a refused resume writes nothing")

        // The pipeline file changed since.
        try Data((try String(contentsOf: pipeline, encoding: .utf8) + "# edited\n").utf8).write(to: pipeline)
        let otherPipeline = try runProcess(Fixtures.panoptes, arguments + ["--resume"])
        XCTAssertEqual(otherPipeline.status, 2)
        XCTAssertTrue(otherPipeline.stderrText.contains("another version of \(pipeline.path) (the file changed since)"), otherPipeline.stderrText)

        // Another pipeline file altogether.
        let another = try self.pipeline(scene, name: "resume-another.yaml")
        let elsewhere = try runProcess(Fixtures.panoptes, ["run", another.path, "--events", events.path, "--checkpoint", checkpoint.path, "--resume"])
        XCTAssertEqual(elsewhere.status, 2)
        XCTAssertTrue(elsewhere.stderrText.contains("was made by the pipeline \(pipeline.path)"), elsewhere.stderrText)
        XCTAssertEqual(try Data(contentsOf: checkpoint), savedCheckpoint, "a refused resume leaves the checkpoint as it was")
        XCTAssertEqual(try Data(contentsOf: events), written)

        // The event file lost lines the checkpoint counted: a resume would leave a hole, so it is refused.
        let fresh = try self.pipeline(scene, name: "resume-short.yaml")
        let shortEvents = out.appendingPathComponent("short.jsonl"), shortCheckpoint = out.appendingPathComponent("short.json")
        let shortArguments = ["run", fresh.path, "--events", shortEvents.path, "--checkpoint", shortCheckpoint.path]
        XCTAssertEqual(try runProcess(Fixtures.panoptes, shortArguments).status, 0)
        try Data(try Data(contentsOf: shortEvents).prefix(10)).write(to: shortEvents)
        let short = try runProcess(Fixtures.panoptes, shortArguments + ["--resume"])
        XCTAssertEqual(short.status, 2)
        XCTAssertTrue(short.stderrText.contains("the event file \(shortEvents.path) is 10 bytes, shorter than the"), short.stderrText)
    }
}
