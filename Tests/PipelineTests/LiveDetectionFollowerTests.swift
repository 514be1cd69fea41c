import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import Pipeline

/// Following a detection stream like `tail -F`, on real files and a real named pipe: appended lines,
/// a line completed later, a file created later, truncated, replaced; a FIFO whose writer comes and
/// goes; bad lines with file:line. Each test waits on the follower's own events.
final class LiveDetectionFollowerTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try Fixtures.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// What a follower handed on, in order, as `pts:<key>`, `bad:<file:line: message>` or `notice:<text>`.
    private final class Seen: Sendable {
        let events: AsyncStream<String>
        let continuation: AsyncStream<String>.Continuation
        init() { (events, continuation) = AsyncStream.makeStream() }

        func record(_ event: LiveDetectionFollower.Event) {
            switch event {
            case .lines(let lines):
                for line in lines {
                    if case .pts(let key) = line.key { continuation.yield("pts:\(key)") }
                }
            case .badLine(let error): continuation.yield("bad:\(error)")
            case .notice(let text): continuation.yield("notice:\(text)")
            }
        }
    }

    /// A started follower of `path` and its events; the events end after 20 s, so a test waiting for
    /// one that never comes fails instead of hanging.
    private func follow(_ path: URL) -> (LiveDetectionFollower, AsyncStream<String>.AsyncIterator) {
        let seen = Seen()
        let follower = LiveDetectionFollower(path: path.path) { seen.record($0) }
        follower.start()
        let continuation = seen.continuation
        Task {
            try? await Task.sleep(nanoseconds: 20_000_000_000)
            continuation.finish()
        }
        return (follower, seen.events.makeAsyncIterator())
    }

    /// The next `count` events.
    private func next(_ count: Int, _ it: inout AsyncStream<String>.AsyncIterator) async -> [String] {
        var got: [String] = []
        while got.count < count, let event = await it.next() { got.append(event) }
        if got.count < count { XCTFail("only \(got) came within 20 s") }
        return got
    }

    private func append(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func testFollow_appendedLinesAndALineCompletedLater_comeInOrder() async throws {
        let url = folder.appendingPathComponent("d.jsonl")
        try Data("{\"pts\": 1.5}\n{\"pts\": 1.6}\n".utf8).write(to: url)
        let (follower, events) = follow(url)
        var it = events
        var got: [String]
        defer { follower.stop() }
        got = await next(2, &it)
        XCTAssertEqual(got, ["pts:1.5", "pts:1.6"])
        try append("{\"pts\": 1.7}\n{\"pts\": 1", to: url)
        got = await next(1, &it)
        XCTAssertEqual(got, ["pts:1.7"])
        try append(".8}\n", to: url)
        got = await next(1, &it)
        XCTAssertEqual(got, ["pts:1.8"], "the half-written line waited for its newline")
    }

    func testFollow_aFileCreatedLater_isWaitedForThenRead() async throws {
        let url = folder.appendingPathComponent("later.jsonl")
        let (follower, events) = follow(url)
        var it = events
        var got: [String]
        defer { follower.stop() }
        got = await next(1, &it)
        XCTAssertEqual(got, ["notice:waiting for \(url.path) to appear (the detector has not created it yet)"])
        try Data("{\"pts\": 2.5}\n".utf8).write(to: url)
        got = await next(1, &it)
        XCTAssertEqual(got, ["pts:2.5"])
    }

    func testFollow_truncatedFile_isReadAgainFromItsStartWithLinesCountedAgain() async throws {
        let url = folder.appendingPathComponent("t.jsonl")
        try Data("{\"pts\": 1.5}\n{\"pts\": 1.6}\n{\"pts\": 1.7}\n".utf8).write(to: url)
        let (follower, events) = follow(url)
        var it = events
        var got: [String]
        defer { follower.stop() }
        got = await next(3, &it)
        XCTAssertEqual(got, ["pts:1.5", "pts:1.6", "pts:1.7"])
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("oops\n".utf8))
        try handle.close()
        got = await next(2, &it)
        XCTAssertEqual(got, [
            "notice:\(url.path) was truncated; reading it again from its start",
            "bad:\(url.path):1: not a detection object {\"pts\": stream seconds | \"wall_time\": \"RFC 3339 UTC\", \"x\", \"y\", \"w\", \"h\", \"score\"}",
        ])
    }

    func testFollow_fileReplacedUnderItsName_readsTheOldToItsEndThenTheNew() async throws {
        let url = folder.appendingPathComponent("r.jsonl")
        try Data("{\"pts\": 1.5}\n".utf8).write(to: url)
        let (follower, events) = follow(url)
        var it = events
        var got: [String]
        defer { follower.stop() }
        got = await next(1, &it)
        XCTAssertEqual(got, ["pts:1.5"])
        // The detector rotates: the last line of the old file, then a new file under the name.
        try append("{\"pts\": 1.6}", to: url)
        try FileManager.default.moveItem(at: url, to: folder.appendingPathComponent("r.jsonl.1"))
        try Data("{\"pts\": 9.5}\n".utf8).write(to: url)
        got = await next(3, &it)
        XCTAssertEqual(got, ["pts:1.6", "notice:\(url.path) was replaced; reading the new file from its start", "pts:9.5"])
    }

    func testFollow_namedPipeWhoseWriterClosesAndComesBack_deliversEveryLine() async throws {
        let url = folder.appendingPathComponent("p.fifo")
        XCTAssertEqual(mkfifo(url.path, 0o600), 0)
        let (follower, events) = follow(url)
        var it = events
        var got: [String]
        defer { follower.stop() }
        // The writer's open waits for the follower's read end, then returns.
        for (i, key) in ["1.5", "1.6"].enumerated() {
            let writer = try FileHandle(forWritingTo: url)
            try writer.write(contentsOf: Data("{\"pts\": \(key)}\n".utf8))
            try writer.close()
            got = await next(1, &it)
            XCTAssertEqual(got, ["pts:\(key)"], "writer \(i + 1)")
        }
    }

    func testFollow_badLine_isReportedWithFileAndLineAndTheNextLinesStillCome() async throws {
        let url = folder.appendingPathComponent("b.jsonl")
        try Data("{\"pts\": 1.5}\n\n{\"frame\": 2, \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1}\n{\"pts\": 1.7}\n".utf8).write(to: url)
        let (follower, events) = follow(url)
        var it = events
        var got: [String]
        defer { follower.stop() }
        got = await next(3, &it)
        XCTAssertEqual(got[0], "pts:1.5")
        XCTAssertTrue(got[1].hasPrefix("bad:\(url.path):3: a live camera's detection lines are keyed by `pts`"), got[1])
        XCTAssertEqual(got[2], "pts:1.7")
    }

    func testStop_endsTheThreadAndClosesTheFile() async throws {
        let url = folder.appendingPathComponent("s.jsonl")
        try Data("{\"pts\": 1.5}\n".utf8).write(to: url)
        /// Descriptors of this process open on `url`.
        func opened() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == url.path
            }.count
        }
        let (follower, events) = follow(url)
        var it = events
        let got = await next(1, &it)
        XCTAssertEqual(got, ["pts:1.5"])
        XCTAssertEqual(try opened(), 1)
        follower.stop()
        await follower.waitUntilStopped()
        XCTAssertEqual(try opened(), 0)
    }
}
