import Foundation
import Synchronization
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// Follows a live camera's detection stream as a detector appends to it, like `tail -F`, on a thread
/// of its own, and hands each complete line on as it comes:
///
/// - a **regular file** is read from its start, then polled every ``pollInterval`` for what was
///   appended. A file that does not exist yet is waited for; a file that shrinks (truncated) is read
///   again from its start; a file replaced under its name (rotated: a new inode) is read to its end,
///   then the new one is read from its start.
/// - a **named pipe** (FIFO) is read as data comes (`poll(2)`, no polling delay). The follower keeps
///   a write end of its own open, so a detector may close the pipe and open it again (restart) without
///   the reader seeing an end.
///
/// Lines are numbered from 1 in each file (again from 1 after a truncation or a rotation), for
/// `file:line` in messages. A line without its newline yet waits for the rest.
///
/// - Note: ``start()`` once, ``stop()`` from any thread; the thread ends within one poll interval and
///   closes what it opened. The callbacks run on the follower's thread.
final class LiveDetectionFollower: Sendable {
    /// What the follower hands on.
    enum Event: Sendable {
        /// Lines parsed from one read, in order.
        case lines([LiveDetectionLine])
        /// A line that is not a detection line (`file:line: reason`).
        case badLine(MOTFileError)
        /// Something a person should know (waiting for the file, truncated, rotated, cannot open).
        case notice(String)
    }

    /// The path followed.
    let path: String
    /// Seconds between looks at a regular file for appended data. 20 ms: a frame at 25 fps lasts 40 ms,
    /// and a stat plus a read of nothing every 20 ms costs nothing measurable.
    let pollInterval: Double
    private let deliver: @Sendable (Event) -> Void
    private let stopped = Atomic<Bool>(false)
    private let done = Mutex<(finished: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// A follower of `path` that hands its events to `deliver`.
    init(path: String, pollInterval: Double = 0.02, deliver: @escaping @Sendable (Event) -> Void) {
        self.path = path
        self.pollInterval = pollInterval
        self.deliver = deliver
    }

    /// Starts the thread.
    func start() {
        let thread = Thread { [self] in
            follow()
            let waiter = done.withLock { d -> CheckedContinuation<Void, Never>? in
                d.finished = true
                defer { d.waiter = nil }
                return d.waiter
            }
            waiter?.resume()
        }
        thread.name = "panoptes.detections"
        thread.start()
    }

    /// Asks the thread to end (it does within one poll interval).
    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Returns once the thread has ended (after ``stop()``) and closed its files.
    func waitUntilStopped() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let finished = done.withLock { d -> Bool in
                if !d.finished { d.waiter = c }
                return d.finished
            }
            if finished { c.resume() }
        }
    }

    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// One open file (or pipe) being read.
    private struct Opened {
        var fd: Int32
        /// A write end of a FIFO, held so the pipe never reports an end between writers.
        var keeper: Int32 = -1
        var fifo: Bool
        var device: UInt
        var inode: UInt
        /// Bytes read so far (a regular file's position).
        var offset: Int64 = 0
        /// The start of a line whose newline has not come yet.
        var partial: [UInt8] = []
        /// Lines read so far.
        var lineNumber = 0

        func close() {
            _ = Glibc.close(fd)
            if keeper >= 0 { _ = Glibc.close(keeper) }
        }
    }

    private func follow() {
        var opened: Opened?
        var waitingNoticed = false
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let decoder = JSONDecoder()
        defer { opened?.close() }
        while !isStopped {
            guard var file = opened else {
                var info = stat()
                guard stat(path, &info) == 0 else {
                    if !waitingNoticed {
                        deliver(.notice("waiting for \(path) to appear (the detector has not created it yet)"))
                        waitingNoticed = true
                    }
                    pause()
                    continue
                }
                let fifo = info.st_mode & S_IFMT == S_IFIFO
                let fd = open(path, O_RDONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0))
                guard fd >= 0 else {
                    if !waitingNoticed {
                        deliver(.notice("cannot open \(path) (\(String(cString: strerror(errno)))); trying again"))
                        waitingNoticed = true
                    }
                    pause()
                    continue
                }
                waitingNoticed = false
                var o = Opened(fd: fd, fifo: fifo, device: UInt(info.st_dev), inode: UInt(info.st_ino))
                if fifo { o.keeper = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK) }
                opened = o
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(file.fd, $0.baseAddress, $0.count) }
            if n > 0 {
                file.offset += Int64(n)
                split(buffer[0..<n], into: &file, decoder: decoder)
                opened = file
                continue
            }
            if n < 0 && errno != EAGAIN && errno != EINTR {
                deliver(.notice("reading \(path) failed (\(String(cString: strerror(errno)))); opening it again"))
                file.close()
                opened = nil
                pause()
                continue
            }
            // Nothing more for now.
            if file.fifo {
                var p = pollfd(fd: file.fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, Int32(pollInterval * 1000))
                continue
            }
            var now = stat()
            if stat(path, &now) == 0 && (UInt(now.st_dev) != file.device || UInt(now.st_ino) != file.inode) {
                // Rotated: the old file is read to its end (just done); its last line may lack a newline.
                flushPartial(&file, decoder: decoder)
                deliver(.notice("\(path) was replaced; reading the new file from its start"))
                file.close()
                opened = nil
                continue
            }
            var mine = stat()
            if fstat(file.fd, &mine) == 0 && Int64(mine.st_size) < file.offset {
                deliver(.notice("\(path) was truncated; reading it again from its start"))
                lseek(file.fd, 0, SEEK_SET)
                file.offset = 0
                file.partial = []
                file.lineNumber = 0
                opened = file
                continue
            }
            pause()
        }
    }

    private func pause() {
        if !isStopped { usleep(useconds_t(pollInterval * 1_000_000)) }
    }

    /// Cuts `bytes` into lines (the tail waits in `partial`) and hands them on.
    private func split(_ bytes: ArraySlice<UInt8>, into file: inout Opened, decoder: JSONDecoder) {
        var lines: [LiveDetectionLine] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let piece = bytes[start..<newline]
            start = newline + 1
            if file.partial.isEmpty {
                parse(piece, file: &file, decoder: decoder, into: &lines)
            } else {
                file.partial.append(contentsOf: piece)
                let whole = file.partial
                file.partial = []
                parse(whole, file: &file, decoder: decoder, into: &lines)
            }
        }
        file.partial.append(contentsOf: bytes[start...])
        if !lines.isEmpty { deliver(.lines(lines)) }
    }

    private func flushPartial(_ file: inout Opened, decoder: JSONDecoder) {
        guard !file.partial.isEmpty else { return }
        var lines: [LiveDetectionLine] = []
        let whole = file.partial
        file.partial = []
        parse(whole, file: &file, decoder: decoder, into: &lines)
        if !lines.isEmpty { deliver(.lines(lines)) }
    }

    private func parse(_ line: some Collection<UInt8>, file: inout Opened, decoder: JSONDecoder, into lines: inout [LiveDetectionLine]) {
        file.lineNumber += 1
        if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
        do {
            lines.append(try LiveDetectionLine.parse(line, decoder: decoder))
        } catch {
            // Lines before the bad one go first, so the order of events is the file's.
            if !lines.isEmpty {
                deliver(.lines(lines))
                lines = []
            }
            deliver(.badLine(MOTFileError(path: path, line: file.lineNumber, message: error.description)))
        }
    }
}
