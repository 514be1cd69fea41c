import Events
import Foundation
import TestSupport
import XCTest

/// `EventFollower`: tail -F on an events file that a concurrent writer appends to, rotates and truncates.
final class EventFollowerTests: XCTestCase {
    private var folder: URL!
    private var path: String { folder.appendingPathComponent("events.jsonl").path }

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private static func event(_ index: Int) -> EventRecord {
        EventRecord(type: .trackStarted, time: Double(index) / 10, camera: "cam-a", frame: index, track: index,
                    bbox: [1, 2, 3, 4], score: 0.5)
    }

    /// Appends 21...40, renames the file away, appends 41...45 to it, then writes 46...80 to a new file.
    private static func rotate(_ first: JSONLEventWriter, path: String) throws -> JSONLEventWriter {
        for index in 21...40 { try first.append(event(index)) }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        for index in 41...45 { try first.append(event(index)) }
        try first.close()
        let second = try JSONLEventWriter(path: path, startingSeq: 46)
        for index in 46...80 { try second.append(event(index)) }
        return second
    }

    private static func seqs(_ updates: [EventFollower.Update]) -> [Int] {
        updates.compactMap { if case .event(let entry) = $0 { entry.record.seq } else { nil } }
    }

    private static func notes(_ updates: [EventFollower.Update]) -> [EventFollower.Update] {
        updates.filter { if case .event = $0 { false } else { true } }
    }

    func testFollower_writerRotatesThenTruncates_deliversEverySeqOnceInOrder() async throws {
        let path = self.path
        var run = FollowerRun(EventFollower(path: path, pollInterval: .milliseconds(20)))
        defer { run.stop() }
        let waiting = await run.updates.next()
        XCTAssertEqual(waiting, .waiting)

        let first = try JSONLEventWriter(path: path)
        for index in 1...20 { try first.append(Self.event(index)) }
        var updates = await run.collect(throughSeq: 20)

        // Unsynchronised with the follower: more lines, a rename, lines the old writer still appends to
        // the renamed file, then a new file under the old name.
        let second = try await withCheckedThrowingContinuation { done in
            DispatchQueue.global().async { done.resume(with: Result { try Self.rotate(first, path: path) }) }
        }
        updates += await run.collect(throughSeq: 80)

        // copytruncate-style: the follower has read the whole file, which now shrinks to nothing and grows
        // again by less than was read.
        try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: 0)
        for index in 81...85 { try second.append(Self.event(index)) }
        updates += await run.collect(throughSeq: 85)
        try second.close()

        XCTAssertEqual(Self.seqs(updates), Array(1...85))
        XCTAssertEqual(Self.notes(updates), [.rotated, .truncated])
    }

    /// `panoptes tail` on a named pipe: the follower opens it without blocking and holds a write end,
    /// so a writer that closes the pipe and comes back is followed on, without an end in between.
    func testFollower_namedPipeWhoseWriterComesBack_deliversEverySeq() async throws {
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        var run = FollowerRun(EventFollower(path: path, pollInterval: .milliseconds(20)))
        defer { run.stop() }
        var updates: [EventFollower.Update] = []
        for writer in 0..<2 {
            var lines = ""
            for index in (writer * 5 + 1)...(writer * 5 + 5) {
                var record = Self.event(index)
                record.seq = index
                lines += try record.jsonLine()
            }
            // A writer's open fails (ENXIO) while nobody has the pipe open for reading: until the
            // follower has opened it, try again, for at most 10 s.
            var fd: Int32 = -1
            for _ in 0..<1000 {
                fd = open(path, O_WRONLY | O_NONBLOCK)
                if fd >= 0 || errno != ENXIO { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            XCTAssertGreaterThanOrEqual(fd, 0, "writer \(writer) cannot open the pipe")
            let bytes = Array(lines.utf8)
            XCTAssertEqual(write(fd, bytes, bytes.count), bytes.count)
            close(fd)
            updates += await run.collect(throughSeq: writer * 5 + 5)
        }
        XCTAssertEqual(Self.seqs(updates), Array(1...10))
        XCTAssertEqual(Self.notes(updates), [])
    }

    func testFollower_halfWrittenLine_deliveredOnlyOnceItsNewlineArrives() async throws {
        let writer = try JSONLEventWriter(path: path)
        try writer.append(Self.event(1))
        try writer.close()
        var run = FollowerRun(EventFollower(path: path, pollInterval: .milliseconds(20)))
        defer { run.stop() }
        _ = await run.collect(throughSeq: 1)

        let line = try EventRecord(seq: 2, type: .runFinished, time: 9, reason: "footage ended").jsonLine()
        let bytes = Array(line.utf8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes[..<30])
        // Proving an absence takes waiting: 15 polls see the half line and must not deliver it.
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(run.seen.count, 1)
        try handle.write(contentsOf: bytes[30...])
        try handle.close()
        let rest = await run.collect(throughSeq: 2)
        XCTAssertEqual(rest, [.event(EventEntry(
            record: EventRecord(seq: 2, type: .runFinished, time: 9, reason: "footage ended"),
            bytes: Array(bytes.dropLast()), lineNumber: 2))])
    }

    func testFollower_fromSeq_resumesWithTheNextEventExactly() async throws {
        let writer = try JSONLEventWriter(path: path)
        for index in 1...10 { try writer.append(Self.event(index)) }
        var run = FollowerRun(EventFollower(path: path, from: 6, pollInterval: .milliseconds(20)))
        defer { run.stop() }
        var updates = await run.collect(throughSeq: 10)
        try writer.append(Self.event(11))
        updates += await run.collect(throughSeq: 11)
        try writer.close()
        XCTAssertEqual(Self.seqs(updates), [7, 8, 9, 10, 11])
        XCTAssertEqual(Self.notes(updates), [])
    }

    func testFollower_partialTruncation_rereadsWithoutDoubling() async throws {
        let writer = try JSONLEventWriter(path: path)
        var ends: [Int] = []
        for index in 1...10 {
            try writer.append(Self.event(index))
            ends.append(writer.endOffset!)
        }
        var run = FollowerRun(EventFollower(path: path, pollInterval: .milliseconds(20)))
        defer { run.stop() }
        var updates = await run.collect(throughSeq: 10)
        try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: UInt64(ends[4]))
        try writer.append(Self.event(11))
        updates += await run.collect(throughSeq: 11)
        try writer.close()
        XCTAssertEqual(Self.seqs(updates), Array(1...11))
        XCTAssertEqual(Self.notes(updates), [.truncated])
    }

    func testFollower_oldFileEndsMidLineAtRotation_reportsTheTornLine() async throws {
        let writer = try JSONLEventWriter(path: path)
        try writer.append(Self.event(1))
        var run = FollowerRun(EventFollower(path: path, pollInterval: .milliseconds(20)))
        defer { run.stop() }
        var updates = await run.collect(throughSeq: 1)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"v":1,"seq":2,"#.utf8))
        try handle.close()
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        let next = try JSONLEventWriter(path: path, startingSeq: 3)
        try next.append(Self.event(3))
        try next.close()
        updates += await run.collect(throughSeq: 3)
        XCTAssertEqual(Self.seqs(updates), [1, 3])
        XCTAssertEqual(Self.notes(updates), [
            .tornLine(TornLine(lineNumber: 2, byteCount: 15, hasNewline: false)), .rotated,
        ])
    }

    func testFollower_cancelled_endsWithoutError() async throws {
        let follower = EventFollower(path: path, pollInterval: .milliseconds(20))
        let (started, signal) = AsyncStream.makeStream(of: EventFollower.Update.self)
        let task = Task {
            var count = 0
            for try await update in follower {
                signal.yield(update)
                count += 1
            }
            return count
        }
        var iterator = started.makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first, .waiting)
        task.cancel()
        let delivered = try await task.value
        XCTAssertEqual(delivered, 1)
    }
}

/// A follower running in its own task, its updates handed over an `AsyncStream`; a watchdog cancels it
/// after 30 s so a follower that misses an event fails the test instead of hanging it.
private struct FollowerRun {
    var updates: AsyncStream<EventFollower.Update>.Iterator
    /// Every update so far, for checking that nothing arrived.
    let seen = SeenUpdates()
    private let task: Task<Void, Error>
    private let watchdog: Task<Void, Never>

    init(_ follower: EventFollower) {
        let (stream, continuation) = AsyncStream.makeStream(of: EventFollower.Update.self)
        let seen = seen
        let task = Task {
            defer { continuation.finish() }
            for try await update in follower {
                seen.add(update)
                continuation.yield(update)
            }
        }
        self.task = task
        watchdog = Task {
            try? await Task.sleep(for: .seconds(30))
            task.cancel()
        }
        updates = stream.makeAsyncIterator()
    }

    /// The updates up to and including the event with `seq` (fewer if the follower ends first).
    mutating func collect(throughSeq seq: Int) async -> [EventFollower.Update] {
        var collected: [EventFollower.Update] = []
        while let update = await updates.next() {
            collected.append(update)
            if case .event(let entry) = update, entry.record.seq >= seq { break }
        }
        return collected
    }

    func stop() {
        task.cancel()
        watchdog.cancel()
    }
}

/// Updates collected on the follower's task, read by the test.
private final class SeenUpdates: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var updates: [EventFollower.Update] = []
    func add(_ update: EventFollower.Update) { lock.withLock { updates.append(update) } }
    var count: Int { lock.withLock { updates.count } }
}
