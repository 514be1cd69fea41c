/// Follows an events file as it grows, like `tail -F`: an `AsyncSequence` of ``Update``s.
///
/// Every ~``pollInterval`` it reads what was appended and delivers each complete line once its
/// newline has arrived (a line still being written waits). It keeps following when the file does not
/// exist yet (``Update/waiting``), when it shrinks below what was read (truncation: it starts again at
/// byte 0 of the new content, ``Update/truncated``), and when the path comes to name another file
/// (rotation by rename: it reads the old file to its end, then the new one from byte 0,
/// ``Update/rotated``).
///
/// Events whose seq is at most ``from``, or at most the last seq delivered, are skipped: since a
/// writer's seq rises by 1 across rotation and truncation, a restarted consumer that passes the last
/// seq it saw neither loses an event nor sees one twice, and re-reading a partly truncated file
/// doubles nothing.
///
/// The sequence does not end by itself: cancel the task that iterates it, and it then ends (returns
/// nil) within one poll instead of throwing, so a `for try await` loop simply finishes. It throws
/// ``EventsError`` for a damaged line before the end of the file, or when the file cannot be read.
///
/// - Note: Limits shared with `tail -F`: a file truncated and refilled past the read offset between
///   two polls, or rotated twice between two polls, cannot be told apart from growth.
public struct EventFollower: AsyncSequence, Sendable {
    /// What the follower saw.
    public enum Update: Sendable, Equatable {
        /// A complete event line.
        case event(EventEntry)
        /// A line skipped: the old file ended mid-line at rotation, or the newest line is not an event.
        case tornLine(TornLine)
        /// The file does not exist (yet); sent once until it appears.
        case waiting
        /// The file shrank below what was read; reading again from its start.
        case truncated
        /// The path names a new file; the old one was read to its end, the new one is read from its start.
        case rotated
    }

    /// The element type: an update.
    public typealias Element = Update

    /// The file followed.
    public let path: String
    /// The last seq the consumer saw: events with a seq at most this are skipped (0 delivers everything).
    public let from: Int
    /// How long to wait before looking again once everything written was read.
    public let pollInterval: Duration

    /// Follows `path`, delivering events with seq greater than `from`, looking every `pollInterval`.
    public init(path: String, from: Int = 0, pollInterval: Duration = .milliseconds(100)) {
        precondition(pollInterval > .zero, "the poll interval must be positive")
        self.path = path
        self.from = from
        self.pollInterval = pollInterval
    }

    /// Starts following: opens the file on the first `next()`.
    public func makeAsyncIterator() -> Iterator {
        Iterator(file: FollowedFile(path: path, from: from, pollInterval: pollInterval))
    }

    /// Reads the file as it grows; not shareable between tasks.
    public struct Iterator: AsyncIteratorProtocol {
        fileprivate let file: FollowedFile

        /// The next update; nil once the iterating task is cancelled.
        public mutating func next() async throws -> Update? {
            try await file.next()
        }
    }
}

/// The state of one follow: the open file, what was read of it, the last seq delivered.
///
/// - Note: Used by one iterator on one task; owns its descriptor.
fileprivate final class FollowedFile {
    let path: String
    let pollInterval: Duration
    private var lastSeq: Int
    private var descriptor: OwnedDescriptor?
    /// The file `descriptor` reads (device and inode), to notice when the path names another.
    private var identity: FileStatus?
    /// Bytes read from `descriptor` so far (complete lines and the pending partial one).
    private var offset = 0
    private var lines = LineAssembler()
    private var lineNumber = 0
    private var scratch: [UInt8] = []
    private var announcedWaiting = false
    /// The old file was read to its end after a rotation; switch once its lines are delivered.
    private var retiring = false
    private var queued: [EventFollower.Update] = []

    init(path: String, from: Int, pollInterval: Duration) {
        self.path = path
        self.lastSeq = from
        self.pollInterval = pollInterval
    }

    func next() async throws -> EventFollower.Update? {
        while !Task.isCancelled {
            if !queued.isEmpty { return queued.removeFirst() }
            if let update = try nextLine() { return update }
            if retiring {
                finishRetiring()
                continue
            }
            guard let fd = descriptor?.fd else {
                if try openIfPresent() { continue }
                if !announcedWaiting {
                    announcedWaiting = true
                    return .waiting
                }
                if await pause() { continue } else { return nil }
            }
            if try readMore(fd) > 0 { continue }
            if try truncated(fd) {
                return .truncated
            }
            if try rotated(fd) { continue }
            if await pause() { continue } else { return nil }
        }
        return nil
    }

    /// The next complete line as an event, skipping seqs already delivered; nil when none is complete.
    private func nextLine() throws -> EventFollower.Update? {
        while let line = lines.nextLine() {
            lineNumber += 1
            let record: EventRecord
            do {
                record = try EventRecord(jsonLine: line)
            } catch {
                // The newest line may be one a crashed writer left; anything before it is damage.
                if case .badLine = error.kind, lines.pending.isEmpty, let fd = descriptor?.fd, try readMore(fd) == 0 {
                    return .tornLine(TornLine(lineNumber: lineNumber, byteCount: line.count + 1, hasNewline: true))
                }
                throw error.at(path, line: lineNumber)
            }
            guard record.seq > lastSeq else { continue }
            lastSeq = record.seq
            return .event(EventEntry(record: record, bytes: line, lineNumber: lineNumber))
        }
        return nil
    }

    /// Sleeps one poll interval; false when the task was cancelled.
    private func pause() async -> Bool {
        do {
            try await Task.sleep(for: pollInterval)
            return true
        } catch {
            return false
        }
    }

    private func openIfPresent() throws(EventsError) -> Bool {
        let fd: Int32
        do {
            fd = try Syscalls.openFile(path, flags: Syscalls.readFlags)
        } catch {
            if error.isNoSuchFile { return false }
            throw EventsError(.openForReading, error, path: path)
        }
        descriptor = OwnedDescriptor(fd)
        announcedWaiting = false
        do {
            identity = try Syscalls.status(fd)
        } catch {
            throw EventsError(.inspect, error, path: path)
        }
        offset = 0
        lineNumber = 0
        lines.reset()
        return true
    }

    /// Reads what is there now, up to one chunk; returns the byte count.
    private func readMore(_ fd: Int32) throws(EventsError) -> Int {
        do {
            let n = try EventReader.readChunk(fd, into: &lines, scratch: &scratch)
            offset += n
            return n
        } catch {
            throw EventsError(.read, error, path: path)
        }
    }

    /// True (and reading restarts at byte 0) when the file is now shorter than what was read.
    private func truncated(_ fd: Int32) throws(EventsError) -> Bool {
        do {
            guard try Syscalls.status(fd).size < offset else { return false }
            try Syscalls.seek(fd, to: 0)
        } catch {
            throw EventsError(.inspect, error, path: path)
        }
        offset = 0
        lineNumber = 0
        lines.reset()
        return true
    }

    /// True when the path now names another file: the old one is then read to its end, and its lines
    /// are delivered before the switch (`retiring`).
    private func rotated(_ fd: Int32) throws(EventsError) -> Bool {
        let current: FileStatus?
        do {
            current = try Syscalls.status(path: path)
        } catch {
            throw EventsError(.inspect, error, path: path)
        }
        // Gone: renamed away and not yet replaced; the old file may still grow, keep reading it.
        guard let current, let identity, !current.isSameFile(as: identity) else { return false }
        while try readMore(fd) > 0 {}
        retiring = true
        return true
    }

    /// Closes the drained old file after a rotation; reports a partial last line it held.
    private func finishRetiring() {
        let pending = lines.pending.count
        if pending > 0 {
            queued.append(.tornLine(TornLine(lineNumber: lineNumber + 1, byteCount: pending, hasNewline: false)))
        }
        queued.append(.rotated)
        try? descriptor?.close()
        descriptor = nil
        identity = nil
        retiring = false
        lines.reset()
        lineNumber = 0
        offset = 0
    }
}
