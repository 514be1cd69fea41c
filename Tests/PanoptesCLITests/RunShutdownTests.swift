import Foundation
import TestSupport
import XCTest

/// `panoptes run` stopped before the end of its footage, end to end: SIGINT and SIGTERM stop it
/// gracefully (every live track ended, `run_finished` with the reason, the summary, exit 130 / 143), a
/// second SIGINT quits at once, and `kill -9` at any moment leaves an event file that is a valid
/// prefix — what an operator checks in the file, on stderr and in the exit status.
final class RunShutdownTests: XCTestCase {
    /// One generated scene for every test here: 2 cameras, 6 people, 60 s at 10 fps, 320x180. Tracking
    /// it takes far longer than any test lets it run, so every signal lands mid-run.
    private func scene() throws -> URL { try RunFixtures.scene(cameras: 2, people: 6, seconds: 60, seed: 11) }

    private typealias Event = RunFixtures.Event

    /// The file's complete lines (each must be an event) and what follows the last newline (the torn
    /// last line, empty when there is none).
    private func prefix(_ data: Data, file: StaticString = #filePath, line: UInt = #line) throws -> (events: [Event], torn: Data) {
        let end = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.startIndex
        var events: [Event] = []
        for (i, text) in data[..<end].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().enumerated() {
            do {
                events.append(try JSONDecoder().decode(Event.self, from: Data(text)))
            } catch {
                XCTFail("line \(i + 1) is complete but not an event: \(String(decoding: text, as: UTF8.self))", file: file, line: line)
                throw error
            }
        }
        return (events, Data(data[end...]))
    }

    private func startRun(_ pipeline: URL, events: URL) throws -> RunningProcess {
        try RunningProcess(Fixtures.panoptes, ["run", pipeline.path, "--events", events.path])
    }

    /// True once `data` holds a whole line of event type `type`.
    private func hasLine(_ data: Data, ofType type: String) -> Bool {
        String(decoding: data, as: UTF8.self).split(separator: "\n").dropLast(data.last == UInt8(ascii: "\n") ? 0 : 1)
            .contains { $0.contains("\"type\":\"\(type)\"") }
    }

    // MARK: SIGINT and SIGTERM

    func testRun_sigintMidRun_endsEveryLiveTrackWritesRunFinishedInterruptedAndExits130() throws {
        try assertGracefulStop(signal: SIGINT, name: "SIGINT", reason: "interrupted", status: 130)
    }

    func testRun_sigtermMidRun_endsEveryLiveTrackWritesRunFinishedTerminatedAndExits143() throws {
        try assertGracefulStop(signal: SIGTERM, name: "SIGTERM", reason: "terminated", status: 143)
    }

    /// Starts a run, signals it once a track is live, and checks what the operator sees.
    private func assertGracefulStop(signal: Int32, name: String, reason: String, status: Int32,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let eventsURL = out.appendingPathComponent("events.jsonl")
        let run = try startRun(scene.appendingPathComponent("pipeline.yaml"), events: eventsURL)
        XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 60) { self.hasLine($0, ofType: "track_started") },
                      "a track starts: \(run.stderrText)", file: file, line: line)
        run.send(signal)
        let exit = run.waitForExit(timeout: 60)
        XCTAssertTrue(exit.exited, "it exits by itself, not by a signal's default action", file: file, line: line)
        XCTAssertEqual(exit.status, status, run.stderrText, file: file, line: line)

        let data = try Data(contentsOf: eventsURL)
        XCTAssertEqual(data.last, UInt8(ascii: "\n"), "every line is complete", file: file, line: line)
        let all = try prefix(data).events
        XCTAssertEqual(all.map(\.seq), Array(1...max(1, all.count)), "seq starts at 1 and rises by 1", file: file, line: line)
        XCTAssertTrue(all.allSatisfy { $0.v == 1 }, file: file, line: line)
        XCTAssertEqual(all.first?.type, "run_started", file: file, line: line)
        XCTAssertEqual(all.last?.type, "run_finished", "run_finished is the last line", file: file, line: line)
        XCTAssertEqual(all.last?.reason, reason, file: file, line: line)
        XCTAssertLessThan(all.last?.time ?? 60, 50, "the run stopped well before the footage's 60 s", file: file, line: line)

        var started: [String: Int] = [:], ended: [String: Int] = [:]
        for e in all where e.type == "track_started" { started["\(e.camera ?? "?")/\(e.track ?? -1)", default: 0] += 1 }
        for e in all where e.type == "track_ended" { ended["\(e.camera ?? "?")/\(e.track ?? -1)", default: 0] += 1 }
        XCTAssertFalse(started.isEmpty, file: file, line: line)
        XCTAssertEqual(started, ended, "every track_started has its track_ended", file: file, line: line)
        XCTAssertTrue(ended.values.allSatisfy { $0 == 1 }, file: file, line: line)
        let byStop = all.filter { $0.type == "track_ended" && $0.reason == "run_stopped" }
        XCTAssertFalse(byStop.isEmpty, "the tracks live at the stop end with reason run_stopped", file: file, line: line)

        // Every event still validates against the schema (Python's jsonschema as the judge).
        XCTAssertEqual(try RunFixtures.schemaFailures(eventsURL, scratch: out).failures, [], file: file, line: line)

        let stderr = run.stderrText
        XCTAssertTrue(stderr.contains("\(name): stopping"), "it says it is stopping: \(stderr)", file: file, line: line)
        XCTAssertTrue(stderr.contains("total"), "the summary table is printed: \(stderr)", file: file, line: line)
        XCTAssertTrue(stderr.contains("stopped (\(reason))"), stderr, file: file, line: line)
        XCTAssertTrue(stderr.contains("stopped by \(name) before the end of the footage: \(byStop.count) live tracks ended"),
                      stderr, file: file, line: line)
    }

    func testRun_sigintRightAfterLaunch_isNeverLostAndTheRunDoesNotGoOn() throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let eventsURL = out.appendingPathComponent("events.jsonl")
        var random = SeededGenerator(seed: 0x5EED_0002)
        for attempt in 0..<4 {
            try? FileManager.default.removeItem(at: eventsURL)
            let run = try startRun(scene.appendingPathComponent("pipeline.yaml"), events: eventsURL)
            // Anywhere in the start-up: before the traps are live the default action ends the process
            // (nothing written); after, the stop is graceful. Never may the signal be dropped.
            Thread.sleep(forTimeInterval: random.unit() * 0.4)
            run.send(SIGINT)
            let exit = run.waitForExit(timeout: 30)
            if exit.exited {
                XCTAssertEqual(exit.status, 130, "attempt \(attempt): \(run.stderrText)")
                let all = try prefix(try Data(contentsOf: eventsURL)).events
                XCTAssertEqual(all.last?.type, "run_finished", "attempt \(attempt)")
                XCTAssertEqual(all.last?.reason, "interrupted", "attempt \(attempt)")
            } else {
                XCTAssertEqual(exit.status, SIGINT, "attempt \(attempt): ended by SIGINT itself, not by the timeout's kill")
            }
        }
    }

    func testRun_secondSigintWhileStopping_exitsAtOnceWith130AndEveryLineIsWhole() throws {
        let scene = try scene()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        // Deep queues: at the stop hundreds of decoded frames still wait for the embedder, so the
        // graceful drain takes seconds and the second SIGINT surely lands during it.
        let pipelineText = try String(contentsOf: scene.appendingPathComponent("pipeline.yaml"), encoding: .utf8)
        XCTAssertFalse(pipelineText.contains("queues:"))
        let pipeline = scene.appendingPathComponent("deep-queues-\(UUID().uuidString.prefix(8)).yaml")
        try Data((pipelineText + "\nqueues:\n  frames_per_camera: 300\n  embedded_frames: 300\n").utf8).write(to: pipeline)
        defer { try? FileManager.default.removeItem(at: pipeline) }

        let eventsURL = out.appendingPathComponent("events.jsonl")
        let run = try startRun(pipeline, events: eventsURL)
        XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 60) { self.hasLine($0, ofType: "track_started") }, run.stderrText)
        run.send(SIGINT)
        XCTAssertTrue(run.waitUntil(timeout: 30) { _, err in err.contains("SIGINT: stopping") }, run.stderrText)
        run.send(SIGINT)
        let exit = run.waitForExit(timeout: 10)
        XCTAssertTrue(exit.exited, "it exits by itself")
        XCTAssertEqual(exit.status, 130, run.stderrText)
        XCTAssertTrue(run.stderrText.contains("SIGINT again: quitting at once"), run.stderrText)

        let data = try Data(contentsOf: eventsURL)
        XCTAssertEqual(data.last, UInt8(ascii: "\n"), "the sink was closed between two lines: every line is whole")
        let all = try prefix(data).events
        XCTAssertEqual(all.map(\.seq), Array(1...max(1, all.count)), "seq starts at 1 and rises by 1")
        XCTAssertEqual(all.first?.type, "run_started")
        XCTAssertFalse(all.contains { $0.type == "run_finished" }, "it quit before finishing the drain")
        XCTAssertFalse(run.stderrText.contains("stopped by SIGINT"), "no summary: it did not wait for the run")
        let tail = try runProcess(Fixtures.panoptes, ["tail", "--json", eventsURL.path])
        XCTAssertEqual(tail.status, 0, tail.stderrText)
        XCTAssertEqual(tail.stdout, data, "tail reads every line back")
    }

    // MARK: kill -9

    func testRun_killed24TimesAtRandomMoments_eachLeavesAValidPrefixThatTailReads() throws {
        let scene = try scene()
        let pipeline = scene.appendingPathComponent("pipeline.yaml")
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        var random = SeededGenerator(seed: 0x5EED_0009)
        var withTrackEvents = 0, realTears = 0
        for kill in 0..<24 {
            let eventsURL = out.appendingPathComponent("events-\(kill).jsonl")
            let run = try startRun(pipeline, events: eventsURL)
            // A quarter of the kills land anywhere from the launch (model loading, opening the file,
            // the first lines), a quarter soon after the first line, half while track and identity
            // events are being written.
            switch kill % 4 {
            case 0:
                Thread.sleep(forTimeInterval: random.unit() * 1.0)
            case 1:
                XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 60) { !$0.isEmpty }, "kill \(kill): \(run.stderrText)")
                Thread.sleep(forTimeInterval: random.unit() * 1.0)
            default:
                XCTAssertTrue(run.waitUntil(file: eventsURL, timeout: 60) { self.hasLine($0, ofType: "track_started") },
                              "kill \(kill): \(run.stderrText)")
                Thread.sleep(forTimeInterval: random.unit() * 2.0)
            }
            run.send(SIGKILL)
            let exit = run.waitForExit(timeout: 30)
            XCTAssertFalse(exit.exited, "kill \(kill): the run was still running when killed")

            let data = (try? Data(contentsOf: eventsURL)) ?? Data()
            let (events, torn) = try prefix(data)
            XCTAssertEqual(events.map(\.seq), Array(1..<(events.count + 1)), "kill \(kill): seq is 1, 2, 3 …")
            if let first = events.first { XCTAssertEqual(first.type, "run_started", "kill \(kill)") }
            XCTAssertFalse(events.contains { $0.type == "run_finished" }, "kill \(kill): a killed run writes no run_finished")
            if events.contains(where: { $0.type == "track_started" }) { withTrackEvents += 1 }
            if !torn.isEmpty { realTears += 1 }

            guard !data.isEmpty else { continue }
            try assertTailReads(eventsURL, whole: data.count - torn.count, torn: !torn.isEmpty, "kill \(kill)")

            // kill -9 between two write(2)s tears nothing, so the torn branch is also checked on the same
            // real output cut at a seeded byte inside its last line, as a crash inside a write leaves it.
            if torn.isEmpty, events.count >= 2 {
                let lastLineStart = data.dropLast().lastIndex(of: UInt8(ascii: "\n"))! + 1
                let cut = lastLineStart + 1 + Int(random.next() % UInt64(data.count - lastLineStart - 2))
                let cutURL = out.appendingPathComponent("events-\(kill)-cut.jsonl")
                try Data(data[..<cut]).write(to: cutURL)
                try assertTailReads(cutURL, whole: lastLineStart, torn: true, "kill \(kill), cut at byte \(cut)")
            }
        }
        print("RunShutdownTests: 24 kills, \(withTrackEvents) after a track_started, \(realTears) left a torn last line")
    }

    /// `panoptes tail --json FILE` exits 0, prints exactly the first `whole` bytes (the complete lines),
    /// and says on stderr that it skipped a torn last line exactly when there is one.
    private func assertTailReads(_ url: URL, whole: Int, torn: Bool, _ context: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try Data(contentsOf: url)
        let tail = try runProcess(Fixtures.panoptes, ["tail", "--json", url.path])
        XCTAssertEqual(tail.status, 0, "\(context): \(tail.stderrText)", file: file, line: line)
        XCTAssertEqual(tail.stdout, data.prefix(whole), "\(context): tail prints every complete line", file: file, line: line)
        XCTAssertEqual(tail.stderrText.contains("skipped a torn last line"), torn, "\(context): \(tail.stderrText)",
                       file: file, line: line)
    }
}
