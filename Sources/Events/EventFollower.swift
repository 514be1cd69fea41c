/// Follows an events file as it grows, like `tail -F`: an `AsyncSequence` of ``Update``s.
///
/// Every ~``pollInterval`` it reads what was appended and delivers each complete line once its
/// newline has arrived (a line still being written waits). It keeps following when the file does not
/// exist yet (``Update/waiting``), when it shrinks below what was read (truncation: it starts again at
/// byte 0 of the new content, ``Update/truncated``), and when the path comes to name another file
/// (rotation by rename: it reads the old file to its end, then the new one from byte 0,
/// ``Update/rotated``). A named pipe is read as its writers come and go. The following itself is
/// ``FileTail``, which the live detections of `panoptes run` are followed with too.
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
/// - Note: ``FileTail``'s limits, those of `tail -F`, apply.
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

/// The state of one follow: the tail of the file, the last seq delivered.
///
/// - Note: Used by one iterator on one task.
fileprivate final class FollowedFile {
    let pollInterval: Duration
    private let tail: FileTail
    private var lastSeq: Int
    private var announcedWaiting = false
    /// The tail rotated: the old file's last lines are delivered, then its torn end and `.rotated`.
    private var retiring = false
    private var queued: [EventFollower.Update] = []

    init(path: String, from: Int, pollInterval: Duration) {
        tail = FileTail(path: path)
        lastSeq = from
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
            let change = try tail.poll()
            if change != .absent { announcedWaiting = false }
            switch change {
            case .appended:
                continue
            case .truncated:
                return .truncated
            case .rotated:
                retiring = true
                continue
            case .absent where !announcedWaiting:
                announcedWaiting = true
                return .waiting
            case .absent, .unchanged:
                break
            }
            if await pause() { continue } else { return nil }
        }
        return nil
    }

    /// The next complete line as an event, skipping seqs already delivered; nil when none is complete.
    private func nextLine() throws -> EventFollower.Update? {
        while let line = tail.nextLine() {
            let record: EventRecord
            do {
                record = try EventRecord(jsonLine: line)
            } catch {
                // The newest line may be one a crashed writer left; anything before it is damage.
                if case .badLine = error.kind, tail.pending.isEmpty, try tail.readAvailable() == 0 {
                    return .tornLine(TornLine(lineNumber: tail.lineNumber, byteCount: line.count + 1, hasNewline: true))
                }
                throw error.at(tail.path, line: tail.lineNumber)
            }
            guard record.seq > lastSeq else { continue }
            lastSeq = record.seq
            return .event(EventEntry(record: record, bytes: line, lineNumber: tail.lineNumber))
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

    /// The old file's lines are all delivered: reports a partial last line it held, then the rotation
    /// (the tail opens the new file at its next poll).
    private func finishRetiring() {
        let pending = tail.pending.count
        if pending > 0 {
            queued.append(.tornLine(TornLine(lineNumber: tail.lineNumber + 1, byteCount: pending, hasNewline: false)))
        }
        queued.append(.rotated)
        retiring = false
    }
}
