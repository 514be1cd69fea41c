import Foundation

/// Appends events to a JSONL file (or standard output), one `write(2)` per line.
///
/// The file is opened with `O_WRONLY|O_CREAT|O_APPEND` and mode 0644. Each line is written by a
/// single `write` call: with `O_APPEND` the kernel moves to the end and writes in one step under the
/// file's lock, so readers and other appending processes only ever see whole lines next to each
/// other. `write` to a regular file returns short only when it cannot write everything — the disk is
/// full, the file hits its size limit (`RLIMIT_FSIZE`) — or a fatal signal arrives; so from a healthy
/// writer a line is never torn. After a short write the writer tries the rest once more; if that
/// fails the file ends with a torn line (which ``EventReader`` skips as a torn last line) and the
/// writer refuses further events rather than bury it mid-file.
///
/// - Note: Thread-safe: all state is behind one lock, held across numbering and writing, so seqs
///   appear in the file in order. Open the writer once per log; it owns its descriptor and closes it
///   in ``close()`` or `deinit`. Standard output (`-`) is written but never closed.
public final class JSONLEventWriter: EventSink, @unchecked Sendable {
    // @unchecked: every stored `var` below is read and written only while `lock` is held, and the
    // `let`s are immutable Sendable values, so no two threads touch mutable state at once.

    /// The path meaning standard output.
    public static let standardOutputPath = "-"

    /// The file written, or `-` for standard output.
    public let path: String
    /// When the writer fsyncs.
    public let fsyncPolicy: FsyncPolicy

    private enum State {
        /// Appending to `descriptor`; `isRegularFile` says whether fsync and offsets apply.
        case open(OwnedDescriptor, isRegularFile: Bool)
        /// A write or fsync failed; the reason is kept for the next caller.
        case failed(reason: String, OwnedDescriptor)
        case closed
    }

    private let lock = NSLock()
    private var state: State
    private var seqToAssign: Int
    private var written = 0
    private var end: Int?
    private var lastSync: Double
    private var unsynced = false
    private var syncs = 0

    /// Opens `path` for appending (creating it, mode 0644), or standard output for `-`.
    ///
    /// - Parameters:
    ///   - path: The events file, or ``standardOutputPath``.
    ///   - fsync: When to fsync (ignored for standard output unless it is redirected to a file).
    ///   - startingSeq: The seq of the first event appended (1 for a new log; a resumed run passes
    ///     one more than the last seq in the file). Must be at least 1.
    /// - Throws: ``EventsError`` when the file cannot be opened, or already ends with a torn line.
    public init(path: String, fsync: FsyncPolicy = .never, startingSeq: Int = 1) throws(EventsError) {
        precondition(startingSeq >= 1, "seq starts at 1 or later, got \(startingSeq)")
        if case .interval(let seconds) = fsync {
            precondition(seconds >= 0 && seconds.isFinite, "fsync interval must be finite and >= 0, got \(seconds)")
        }
        self.path = path
        self.fsyncPolicy = fsync
        seqToAssign = startingSeq
        lastSync = Syscalls.monotonicSeconds()
        let descriptor: OwnedDescriptor
        do {
            descriptor = path == Self.standardOutputPath
                ? OwnedDescriptor(Syscalls.standardOutput, closesOnRelease: false)
                : OwnedDescriptor(try Syscalls.openFile(path, flags: Syscalls.appendFlags, mode: Syscalls.logMode))
        } catch {
            throw EventsError(.openForAppending, error, path: path)
        }
        let status: FileStatus
        do {
            status = try Syscalls.status(descriptor.fd!)
        } catch {
            throw EventsError(.inspect, error, path: path)
        }
        if status.isRegularFile {
            end = status.size
        }
        if status.isRegularFile, path != Self.standardOutputPath {
            // A torn tail would become a damaged line in the middle once we append after it.
            let validLength = try Self.lengthThroughLastNewline(path, size: status.size)
            if validLength < status.size {
                throw EventsError(.tornTail(bytes: status.size - validLength, validLength: validLength), path: path)
            }
        }
        state = .open(descriptor, isRegularFile: status.isRegularFile)
    }

    /// The seq a new run appending to `path` should start at: one more than the `seq` of the file's last
    /// complete line, so seqs keep rising through every run written to one file; 1 for a missing or empty
    /// file, or one whose last line is not an event. Reads at most the last 64 KiB.
    public static func seqAfterLastLine(of path: String) -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 1 }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return 1 }
        let start = size > 65_536 ? size - 65_536 : 0
        guard (try? handle.seek(toOffset: start)) != nil, let tail = try? handle.readToEnd() else { return 1 }
        let lines = tail.split(separator: UInt8(ascii: "\n"))
        // A torn last line (no newline after it) is not the last event.
        let complete = tail.last == UInt8(ascii: "\n") ? lines.last : lines.dropLast().last
        guard let line = complete, let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let seq = object["seq"] as? Int, seq >= 1
        else { return 1 }
        return seq + 1
    }

    /// Bytes this writer has written (all lines, newlines included).
    public var bytesWritten: Int { lock.withLock { written } }

    /// The file's length just after this writer's last line (its length at open before any append);
    /// nil for standard output that is not a regular file. With other appenders it is where *this*
    /// writer's last line ends, which is what a checkpoint needs.
    public var endOffset: Int? { lock.withLock { end } }

    /// The seq the next appended event gets.
    public var nextSeq: Int { lock.withLock { seqToAssign } }

    /// How many times the writer has called fsync.
    public var syncCount: Int { lock.withLock { syncs } }

    /// Numbers `draft` with the next seq, writes its line with one `write(2)`, and fsyncs as the
    /// policy says.
    ///
    /// - Throws: ``EventsError`` when the event breaks the schema (nothing written, no seq used), or
    ///   the write or fsync fails (the writer then refuses further events).
    @discardableResult
    public func append(_ draft: EventRecord) throws(EventsError) -> EventRecord {
        lock.lock()
        defer { lock.unlock() }
        let descriptor: OwnedDescriptor, isRegularFile: Bool
        switch state {
        case .open(let open, let regular): (descriptor, isRegularFile) = (open, regular)
        case .failed(let reason, _): throw EventsError(.failedEarlier(reason: reason), path: path)
        case .closed: throw EventsError(.closed, path: path)
        }
        var record = draft
        record.seq = seqToAssign
        let line: String
        do {
            line = try record.jsonLine()
        } catch {
            throw error.at(path)
        }
        let fd = descriptor.fd!
        do {
            try Self.writeWhole(fd, Array(line.utf8))
        } catch let failure {
            let error = EventsError(.write, failure.error, path: path).about(type: record.type, seq: record.seq)
            if failure.written > 0 {
                state = .failed(reason: "a write stopped after \(failure.written) of \(line.utf8.count) bytes: "
                    + failure.error.message, descriptor)
            }
            throw error
        }
        seqToAssign += 1
        written += line.utf8.count
        if isRegularFile {
            end = try? Syscalls.currentOffset(fd)
            unsynced = true
            try syncIfDue(fd, descriptor, closing: false)
        }
        return record
    }

    /// Fsyncs what is unsynced now, whatever the policy (a checkpoint is about to record the file's
    /// length, and that length must be on the disk first). Does nothing for standard output that is
    /// not a regular file.
    ///
    /// - Throws: ``EventsError`` when the writer is closed or failed, or the fsync fails.
    public func synchronize() throws(EventsError) {
        lock.lock()
        defer { lock.unlock() }
        switch state {
        case .failed(let reason, _): throw EventsError(.failedEarlier(reason: reason), path: path)
        case .closed: throw EventsError(.closed, path: path)
        case .open(let open, let isRegularFile):
            guard isRegularFile, unsynced else { return }
            do {
                try Syscalls.sync(open.fd!)
            } catch {
                state = .failed(reason: "fsync failed: \(error.message)", open)
                throw EventsError(.fsync, error, path: path)
            }
            syncs += 1
            lastSync = Syscalls.monotonicSeconds()
            unsynced = false
        }
    }

    /// Fsyncs what is unsynced (unless the policy is `.never`) and closes the file.
    ///
    /// Further appends throw; closing again does nothing.
    public func close() throws(EventsError) {
        lock.lock()
        defer { lock.unlock() }
        let descriptor: OwnedDescriptor
        switch state {
        case .closed: return
        case .failed(_, let open): descriptor = open
        case .open(let open, let isRegularFile):
            descriptor = open
            if isRegularFile {
                do {
                    try syncIfDue(open.fd!, open, closing: true)
                } catch {
                    state = .closed
                    try? descriptor.close()
                    throw error
                }
            }
        }
        state = .closed
        do {
            try descriptor.close()
        } catch {
            throw EventsError(.close, error, path: path)
        }
    }

    // MARK: Internals

    /// A write that failed after `written` bytes of the line.
    private struct WriteFailure: Error {
        let error: SystemCallError
        let written: Int
    }

    /// Writes all of `bytes`: one `write` call, looping only on a short write (see the type's doc).
    private static func writeWhole(_ fd: Int32, _ bytes: [UInt8]) throws(WriteFailure) {
        var done = 0
        while done < bytes.count {
            let n: Int
            do {
                n = try bytes.withUnsafeBytes { buffer in
                    try Syscalls.writeOnce(fd, UnsafeRawBufferPointer(rebasing: buffer[done...]))
                }
            } catch let error as SystemCallError {
                throw WriteFailure(error: error, written: done)
            } catch {
                preconditionFailure("write raised \(error)")
            }
            // write(2) returns 0 for a non-empty buffer only on a device that takes nothing more.
            guard n > 0 else { throw WriteFailure(error: SystemCallError(code: EIO), written: done) }
            done += n
        }
    }

    /// Fsyncs when the policy asks (at close: whenever anything is unsynced). Caller holds `lock`.
    private func syncIfDue(_ fd: Int32, _ descriptor: OwnedDescriptor, closing: Bool) throws(EventsError) {
        guard unsynced else { return }
        let now = Syscalls.monotonicSeconds()
        let due: Bool
        switch fsyncPolicy {
        case .never: due = false
        case .always: due = true
        case .interval(let seconds): due = closing || now - lastSync >= seconds
        }
        guard due else { return }
        do {
            try Syscalls.sync(fd)
        } catch {
            state = .failed(reason: "fsync failed: \(error.message)", descriptor)
            throw EventsError(.fsync, error, path: path)
        }
        syncs += 1
        lastSync = now
        unsynced = false
    }

    /// The length of the first `size` bytes of `path` up to and including their last newline (`size`
    /// itself when they end with one). Reads through its own descriptor: the append one is write-only.
    private static func lengthThroughLastNewline(_ path: String, size: Int) throws(EventsError) -> Int {
        guard size > 0 else { return 0 }
        do {
            let reader = OwnedDescriptor(try Syscalls.openFile(path, flags: Syscalls.readFlags))
            var offset = size - 1
            while offset >= 0, try Syscalls.byte(reader.fd!, at: offset) != UInt8(ascii: "\n") {
                offset -= 1
            }
            return offset + 1
        } catch {
            throw EventsError(.inspect, error, path: path)
        }
    }
}
