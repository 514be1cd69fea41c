#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A path read as it grows, like `tail -F`, one ``poll()`` at a time: the part that ``EventFollower``
/// (events files) and `panoptes run`'s follower of live detections share.
///
/// Each poll reads what was appended and says what changed; the complete lines then come from
/// ``nextLine()`` (a line waits until its newline has arrived).
/// - A path that names nothing yet is ``Change/absent`` until something appears there.
/// - A file shorter than what was read (truncated) is read again from its byte 0 (``Change/truncated``).
/// - When the path comes to name another file (rotation by rename), the old one is read to its end and
///   ``Change/rotated`` is returned. Its last complete lines still come from ``nextLine()``, and
///   ``pending`` holds what it had after its last newline; the next poll opens the new file.
/// - A named pipe (FIFO) is read without blocking, and a write end of its own is held open so that a
///   writer may close the pipe and open it again without the reader seeing an end. ``waitForPipe(milliseconds:)``
///   waits for its data. A pipe is never truncated or rotated.
///
/// Lines are numbered from 1 in each file, again from 1 after a truncation or a rotation.
///
/// - Note: Limits shared with `tail -F`: a file truncated and refilled past the read offset between
///   two polls, or rotated twice between two polls, cannot be told apart from growth.
/// - Note: Not thread-safe: one thread or task reads it. It owns its descriptors.
public final class FileTail {
    /// What a poll saw.
    public enum Change: Sendable, Equatable {
        /// Bytes were read; complete lines may be waiting in ``nextLine()``.
        case appended
        /// Nothing new.
        case unchanged
        /// Nothing has the path's name (yet).
        case absent
        /// The file became shorter than what was read; reading starts again at its start.
        case truncated
        /// The path names another file now; the old one was read to its end.
        case rotated
    }

    /// The path followed.
    public let path: String
    /// Lines ``nextLine()`` handed out of the current file (the last one's number).
    public private(set) var lineNumber = 0
    /// Whether the file open now is a named pipe.
    public private(set) var isPipe = false

    private var descriptor: OwnedDescriptor?
    /// A FIFO's write end, held so the pipe never reports an end between writers.
    private var keeper: OwnedDescriptor?
    /// The file `descriptor` reads (device and inode), to notice when the path names another.
    private var identity: FileStatus?
    /// Bytes read from `descriptor` so far (complete lines and the pending partial one).
    private var offset = 0
    private var lines = LineAssembler()
    private var scratch: [UInt8] = []
    /// The old file was read to its end after a rotation; the next poll switches to the new one.
    private var switching = false

    /// Follows `path`; nothing is opened before the first ``poll()``.
    public init(path: String) {
        self.path = path
    }

    /// The bytes received after the last complete line (a line still being written, or the end of a
    /// file that did not end with a newline).
    public var pending: ArraySlice<UInt8> { lines.pending }

    /// The next complete line without its `\n`, or nil when none is complete.
    public func nextLine() -> [UInt8]? {
        guard let line = lines.nextLine() else { return nil }
        lineNumber += 1
        return line
    }

    /// Reads what is there now and says what changed.
    ///
    /// - Throws: ``EventsError`` when the path exists but cannot be opened, read or inspected; the tail
    ///   is then closed, and the next poll tries to open it again.
    public func poll() throws(EventsError) -> Change {
        if switching { close() }
        guard let fd = descriptor?.fd else {
            return try openIfPresent() ? poll() : .absent
        }
        if try readAvailable() > 0 { return .appended }
        if isPipe { return .unchanged }
        if try shrank(fd) {
            restart()
            return .truncated
        }
        guard try renamed() else { return .unchanged }
        while try readAvailable() > 0 {}
        switching = true
        return .rotated
    }

    /// Reads up to one chunk of what is there now, without looking for truncation or rotation;
    /// returns the byte count (0: nothing now).
    public func readAvailable() throws(EventsError) -> Int {
        guard let fd = descriptor?.fd else { return 0 }
        do {
            let n = try EventReader.readChunk(fd, into: &lines, scratch: &scratch)
            offset += n
            return n
        } catch where error.code == EAGAIN {
            return 0
        } catch {
            close()
            throw EventsError(.read, error, path: path)
        }
    }

    /// Waits until the pipe open now has data, at most `milliseconds` (returns at once for a file).
    public func waitForPipe(milliseconds: Int) {
        guard isPipe, let fd = descriptor?.fd else { return }
        Syscalls.waitReadable(fd, milliseconds: milliseconds)
    }

    /// Closes what is open; the next poll opens the path again, from its start.
    public func close() {
        try? descriptor?.close()
        try? keeper?.close()
        descriptor = nil
        keeper = nil
        identity = nil
        isPipe = false
        switching = false
        restart()
    }

    /// True (and the offset back at 0) when the file is now shorter than what was read.
    private func shrank(_ fd: Int32) throws(EventsError) -> Bool {
        do {
            guard try Syscalls.status(fd).size < offset else { return false }
            try Syscalls.seek(fd, to: 0)
            return true
        } catch {
            close()
            throw EventsError(.inspect, error, path: path)
        }
    }

    /// True when the path names another file than the one open. Renamed away and not replaced yet
    /// (nothing has the name): false, since the old file may still grow.
    private func renamed() throws(EventsError) -> Bool {
        do {
            guard let current = try Syscalls.status(path: path), let identity else { return false }
            return !current.isSameFile(as: identity)
        } catch {
            close()
            throw EventsError(.inspect, error, path: path)
        }
    }

    /// Opens the path if something has its name; false when nothing has.
    private func openIfPresent() throws(EventsError) -> Bool {
        let status: FileStatus
        do {
            guard let found = try Syscalls.status(path: path) else { return false }
            status = found
        } catch {
            throw EventsError(.inspect, error, path: path)
        }
        let pipe = status.isFIFO
        let fd: Int32
        do {
            fd = try Syscalls.openFile(path, flags: Syscalls.readFlags | (pipe ? O_NONBLOCK : 0))
        } catch {
            if error.isNoSuchFile { return false }
            throw EventsError(.openForReading, error, path: path)
        }
        descriptor = OwnedDescriptor(fd)
        if pipe, let writeEnd = try? Syscalls.openFile(path, flags: O_WRONLY | O_CLOEXEC | O_NONBLOCK) {
            keeper = OwnedDescriptor(writeEnd)
        }
        isPipe = pipe
        do {
            identity = try Syscalls.status(fd)
        } catch {
            close()
            throw EventsError(.inspect, error, path: path)
        }
        restart()
        return true
    }

    /// Reading starts again at byte 0 of the file open now.
    private func restart() {
        offset = 0
        lineNumber = 0
        lines.reset()
    }
}
