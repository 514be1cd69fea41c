import Events
import Foundation
import TestSupport
import XCTest

/// `JSONLEventWriter`: numbering, the bytes in the file, fsync, refusals, and concurrent appenders.
final class JSONLEventWriterTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func path(_ name: String = "events.jsonl") -> String { folder.appendingPathComponent(name).path }

    private func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    func testAppend_everyType_numbersFromOneRisingByOneAndWritesTheLines() throws {
        let writer = try JSONLEventWriter(path: path())
        let stored = try SampleEvents.everyType.map { try writer.append($0) }
        try writer.close()
        XCTAssertEqual(stored.map(\.seq), Array(1...SampleEvents.everyType.count))
        XCTAssertEqual(stored, SampleEvents.numbered)
        XCTAssertEqual(try contents(path()), try SampleEvents.jsonl())
    }

    func testAppend_draftSeqIgnored_sinkAssignsFromStartingSeq() throws {
        let writer = try JSONLEventWriter(path: path(), startingSeq: 41)
        XCTAssertEqual(writer.nextSeq, 41)
        let first = try writer.append(EventRecord(seq: 999, type: .runResumed, time: 1))
        let second = try writer.append(EventRecord(type: .runFinished, time: 2, reason: "stopped"))
        XCTAssertEqual([first.seq, second.seq], [41, 42])
        XCTAssertEqual(writer.nextSeq, 43)
        try writer.close()
        XCTAssertEqual(
            try contents(path()),
            #"{"v":1,"seq":41,"type":"run_resumed","time":1.0}"# + "\n"
                + #"{"v":1,"seq":42,"type":"run_finished","time":2.0,"reason":"stopped"}"# + "\n")
    }

    func testSeqAfterLastLine_goesOnFromTheLastCompleteEvent() throws {
        XCTAssertEqual(JSONLEventWriter.seqAfterLastLine(of: path("missing.jsonl")), 1)
        try Data().write(to: URL(fileURLWithPath: path()))
        XCTAssertEqual(JSONLEventWriter.seqAfterLastLine(of: path()), 1, "an empty file")
        let lines = #"{"v":1,"seq":7,"type":"run_started","time":0.0,"cameras":[]}"# + "\n"
            + #"{"v":1,"seq":8,"type":"run_finished","time":3.0,"reason":"completed"}"# + "\n"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: path()))
        XCTAssertEqual(JSONLEventWriter.seqAfterLastLine(of: path()), 9)
        try Data((lines + #"{"v":1,"seq":9,"ty"#).utf8).write(to: URL(fileURLWithPath: path()))
        XCTAssertEqual(JSONLEventWriter.seqAfterLastLine(of: path()), 9, "a torn last line is not an event")
        try Data((lines + "not json\n").utf8).write(to: URL(fileURLWithPath: path()))
        XCTAssertEqual(JSONLEventWriter.seqAfterLastLine(of: path()), 1, "a file that does not end with an event")
        let long = String(repeating: lines, count: 2000)  // beyond the 64 KiB read from the end
        try Data(long.utf8).write(to: URL(fileURLWithPath: path()))
        XCTAssertEqual(JSONLEventWriter.seqAfterLastLine(of: path()), 9)
    }

    func testAppend_existingFile_appendsAndReportsBytesAndEndOffset() throws {
        let first = #"{"v":1,"seq":1,"type":"run_resumed","time":0.0}"# + "\n"
        try Data(first.utf8).write(to: URL(fileURLWithPath: path()))
        let writer = try JSONLEventWriter(path: path(), startingSeq: 2)
        XCTAssertEqual(writer.bytesWritten, 0)
        XCTAssertEqual(writer.endOffset, first.utf8.count)
        let record = try writer.append(EventRecord(type: .runResumed, time: 5))
        let line = try record.jsonLine()
        XCTAssertEqual(writer.bytesWritten, line.utf8.count)
        XCTAssertEqual(writer.endOffset, first.utf8.count + line.utf8.count)
        try writer.close()
        XCTAssertEqual(try contents(path()), first + line)
        let attributes = try FileManager.default.attributesOfItem(atPath: path())
        let mask = umask(0o022)
        umask(mask)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o644 & ~Int(mask))
    }

    func testAppend_standardOutputPath_writesDescriptorOneAndLeavesItOpen() throws {
        let captured = path("stdout.jsonl")
        let file = open(captured, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(file, 0)
        fflush(nil)  // all C streams: nothing buffered for descriptor 1 may land in the file
        let saved = dup(STDOUT_FILENO)
        dup2(file, STDOUT_FILENO)
        // Nothing may print while descriptor 1 is the file: results are checked after it is restored.
        let outcome = Result { () throws -> (EventRecord, Int, Int?, Int32) in
            let writer = try JSONLEventWriter(path: JSONLEventWriter.standardOutputPath, fsync: .always)
            let record = try writer.append(EventRecord(type: .runResumed, time: 1.5))
            try writer.close()
            return (record, writer.bytesWritten, writer.endOffset, fcntl(STDOUT_FILENO, F_GETFD))
        }
        dup2(saved, STDOUT_FILENO)
        close(saved)
        close(file)
        let (record, bytes, end, flags) = try outcome.get()
        let line = #"{"v":1,"seq":1,"type":"run_resumed","time":1.5}"# + "\n"
        XCTAssertEqual(record.seq, 1)
        XCTAssertEqual(try contents(captured), line)
        XCTAssertEqual(bytes, line.utf8.count)
        XCTAssertEqual(end, line.utf8.count, "standard output redirected to a file reports its length")
        XCTAssertNotEqual(flags, -1, "closing the writer must not close standard output")
    }

    func testAppend_invalidEvent_throwsAndUsesNoSeq() throws {
        let writer = try JSONLEventWriter(path: path())
        XCTAssertThrowsError(try writer.append(EventRecord(type: .cameraUp, time: 1, camera: "a"))) { error in
            XCTAssertEqual(
                "\(error)",
                "\(self.path()): event seq 1 (camera_up): lacks `gap`, which schema version 1 requires for "
                    + "camera_up. Fill it in where the event is made (`panoptes tail --schema` lists each type's fields).")
        }
        XCTAssertEqual(try writer.append(EventRecord(type: .cameraUp, time: 1, camera: "a", gap: 2)).seq, 1)
        try writer.close()
        XCTAssertEqual(try contents(path()).split(separator: "\n").count, 1)
    }

    func testAppend_diskFull_throwsNamingTheCauseAndUsesNoSeq() throws {
        // /dev/full fails every write with ENOSPC before writing a byte.
        let writer = try JSONLEventWriter(path: "/dev/full")
        for _ in 0..<2 {
            XCTAssertThrowsError(try writer.append(EventRecord(type: .runResumed, time: 1))) { error in
                XCTAssertEqual(
                    "\(error)",
                    "/dev/full: event seq 1 (run_resumed): cannot write: No space left on device. Free disk space; "
                        + "the file keeps the events written before this one.")
            }
        }
        XCTAssertEqual(writer.nextSeq, 1)
        XCTAssertEqual(writer.bytesWritten, 0)
        try writer.close()
    }

    func testAppend_afterClose_throwsClosed() throws {
        let writer = try JSONLEventWriter(path: path())
        try writer.close()
        try writer.close()
        XCTAssertThrowsError(try writer.append(EventRecord(type: .runResumed, time: 1))) { error in
            XCTAssertEqual("\(error)", "\(self.path()): the event writer is closed. Open a new writer to append.")
        }
    }

    func testInit_missingFolder_throwsNamingThePathAndWhatToDo() {
        let missing = folder.appendingPathComponent("no/such/events.jsonl").path
        XCTAssertThrowsError(try JSONLEventWriter(path: missing)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(missing): cannot open for appending: No such file or directory. "
                    + "Check that the folder \(self.folder.path)/no/such exists.")
        }
    }

    func testInit_fileEndingInTornLine_refusesWithTheTruncateCommand() throws {
        let whole = #"{"v":1,"seq":1,"type":"run_resumed","time":0.0}"# + "\n"
        try Data((whole + #"{"v":1,"seq":2,"ty"#).utf8).write(to: URL(fileURLWithPath: path()))
        XCTAssertThrowsError(try JSONLEventWriter(path: path())) { error in
            XCTAssertEqual(
                "\(error)",
                "\(self.path()): the file ends with 18 bytes after its last newline: a torn line from a writer "
                    + "that stopped mid-line. Appending would bury it mid-file; cut it off first with "
                    + "`truncate -s \(whole.utf8.count) \(self.path())`.")
        }
    }

    func testFsync_policies_syncWhenTheyPromise() throws {
        let cases: [(FsyncPolicy, afterAppends: Int, afterClose: Int)] = [
            (.never, 0, 0), (.always, 3, 3), (.interval(seconds: 3600), 0, 1), (.interval(seconds: 0), 3, 3),
        ]
        for (index, (policy, afterAppends, afterClose)) in cases.enumerated() {
            let writer = try JSONLEventWriter(path: path("sync\(index).jsonl"), fsync: policy)
            for time in 0..<3 { try writer.append(EventRecord(type: .runResumed, time: Double(time))) }
            XCTAssertEqual(writer.syncCount, afterAppends, "\(policy)")
            try writer.close()
            XCTAssertEqual(writer.syncCount, afterClose, "\(policy)")
        }
    }

    /// Two processes (this one with two threads, and the Python peer) append 8 KiB lines at once: the
    /// file holds every line whole, each writer's in its own order.
    func testAppend_concurrentPeerProcessAndThreads_interleaveWholeLinesOnly() throws {
        let count = 300, pad = 8000
        let target = path()
        let writer = try JSONLEventWriter(path: target)
        let peer = Process()
        peer.executableURL = Fixtures.python
        peer.arguments = [Fixtures.peers.appendingPathComponent("events_append.py").path, target, "\(count)", "\(pad)"]
        try peer.run()
        let failures = FailureList()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for index in 0..<count {
                do {
                    try writer.append(EventRecord(type: .cameraError, time: Double(index), camera: "swift\(thread)",
                                                  message: String(repeating: "s", count: pad)))
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        peer.waitUntilExit()
        try writer.close()
        XCTAssertEqual(peer.terminationStatus, 0)
        XCTAssertEqual(failures.all, [])

        let (events, torn) = try EventReader.readAll(path: target)
        XCTAssertNil(torn)
        XCTAssertEqual(events.count, 3 * count)
        let peerSeqs = events.filter { $0.record.camera == "peer" }.map(\.record.seq)
        XCTAssertEqual(peerSeqs, Array(1...count))
        let ours = events.filter { $0.record.camera != "peer" }.map(\.record.seq)
        XCTAssertEqual(ours, Array(1...(2 * count)), "one writer's seqs appear in the file in order")
        XCTAssertTrue(events.allSatisfy { $0.record.message?.count == pad })
    }
}

/// Errors collected from several threads.
private final class FailureList: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
