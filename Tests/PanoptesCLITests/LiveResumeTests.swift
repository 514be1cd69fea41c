import Foundation
import TestSupport
import XCTest

/// `run --resume` on a live camera, end to end: ffmpeg streams vtest.avi over UDP on loopback, the
/// test detector appends its boxes keyed by `pts`, the run is stopped by SIGTERM once people have
/// identities and resumed while the stream goes on. The tracks of the checkpoint end at the resume,
/// identities and track ids go on from the first run's, the people still in view are re-identified,
/// and time keeps rising.
final class LiveResumeTests: XCTestCase {
    private typealias Event = RunFixtures.Event

    func testResume_liveCamera_endsTheOldTracksKeepsTheIdentitiesAndTimeGoesOn() throws {
        let s = try LiveStreamer.setUp(port: 20_000 + Int(getpid() % 20_000) + 31, extra: "output:\n  checkpoint_interval: 1\n")
        defer { try? FileManager.default.removeItem(at: s.out) }
        let events = s.events, checkpoint = s.out.appendingPathComponent("checkpoint.json")
        let arguments = ["run", s.pipeline.path, "--events", events.path, "--checkpoint", checkpoint.path]
        let streamStart = Date()
        let stream = try LiveStreamer.start(s.url)
        defer { stream.send(SIGKILL) }

        let first = try RunningProcess(Fixtures.panoptes, arguments)
        defer { if first.isRunning { first.send(SIGKILL) } }
        let detector = try LiveStreamer.detector(out: s.detections, ptsOffset: s.offset, streamStart: streamStart)
        defer { detector.send(SIGKILL) }
        XCTAssertTrue(first.waitUntil(file: events, timeout: 90) { LiveStreamer.count($0, type: "identity_assigned") >= 3 },
                      first.stderrText)
        first.send(SIGTERM)
        XCTAssertEqual(first.waitForExit(timeout: 30).status, 143, first.stderrText)
        let stopped = try RunFixtures.events(events)
        XCTAssertEqual(stopped.last?.type, "run_finished")
        Thread.sleep(forTimeInterval: 2)  // the stream goes on without the run

        let second = try RunningProcess(Fixtures.panoptes, arguments + ["--resume"])
        defer { if second.isRunning { second.send(SIGKILL) } }
        XCTAssertTrue(second.waitUntil(file: events, timeout: 90) { data in
            let text = String(decoding: data, as: UTF8.self)
            guard let resumed = text.range(of: "\"type\":\"run_resumed\"") else { return false }
            return LiveStreamer.count(Data(text[resumed.upperBound...].utf8), type: "identity_matched") >= 1
                && LiveStreamer.count(Data(text[resumed.upperBound...].utf8), type: "track_started") >= 3
        }, second.stderrText)
        second.send(SIGINT)
        XCTAssertEqual(second.waitForExit(timeout: 30).status, 130, second.stderrText)
        XCTAssertTrue(second.stderrText.contains("resuming from \(checkpoint.path)"), second.stderrText)

        let all = try RunFixtures.events(events)
        XCTAssertEqual(all.map(\.seq), Array(1...all.count), "seq rises by 1 through the resume")
        XCTAssertEqual(all.map(\.time), all.map(\.time).sorted(), "time goes on rising through the resume")
        XCTAssertTrue(all.allSatisfy { $0.wallTime != nil })
        let resumedAt = try XCTUnwrap(all.firstIndex { $0.type == "run_resumed" })
        let before = all[..<resumedAt], after = all[(resumedAt + 1)...]
        XCTAssertEqual(all.filter { $0.type == "run_resumed" }.count, 1)
        XCTAssertEqual(all.filter { $0.type == "run_finished" }.map(\.reason), ["interrupted"], "the stop's own run_finished was cut")
        XCTAssertEqual(all.last?.type, "run_finished")
        XCTAssertGreaterThanOrEqual(all[resumedAt].time, (before.last?.time ?? 0) + 2, "the time the run was stopped counts")

        // The tracks alive at the checkpoint end right after run_resumed, with reason run_stopped.
        func key(_ e: Event) -> Int { e.track ?? -1 }
        let open = Set(before.filter { $0.type == "track_started" }.map(key))
            .subtracting(before.filter { $0.type == "track_ended" }.map(key))
        XCTAssertFalse(open.isEmpty, "people were in view at the checkpoint")
        let endedAtResume = after.prefix { $0.type == "track_ended" }
        XCTAssertEqual(Set(endedAtResume.map(key)), open)
        XCTAssertTrue(endedAtResume.allSatisfy { $0.reason == "run_stopped" })

        // Identities and track ids go on from the first run's; people still in view keep their identity.
        let identitiesBefore = Set(before.compactMap(\.identity))
        let newIdentities = after.filter { $0.type == "identity_assigned" }.compactMap(\.identity)
        XCTAssertTrue(newIdentities.allSatisfy { $0 > identitiesBefore.max()! }, "new identities get new numbers: \(newIdentities)")
        XCTAssertTrue(after.filter { $0.type == "track_started" }.allSatisfy { key($0) > before.map(key).max()! })
        XCTAssertTrue(after.contains { $0.type == "identity_matched" && identitiesBefore.contains($0.identity ?? -1) },
                      "someone seen before the stop is re-identified after it")
        print("LiveResumeTests: \(open.count) tracks ended at the resume, \(identitiesBefore.count) identities before, "
              + "\(after.filter { $0.type == "identity_matched" }.count) matched after")
    }
}
