import Events
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
/// `file:line` in messages. A line without its newline yet waits for the rest. The following itself is
/// Events' `FileTail`, the one `panoptes tail` follows events files with.
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

    private func follow() {
        let tail = FileTail(path: path)
        defer { tail.close() }
        var noticed = false
        let decoder = JSONDecoder()
        while !isStopped {
            let change: FileTail.Change
            do {
                change = try tail.poll()
            } catch {
                // The tail closed itself; the next poll opens the path again.
                let reason: String
                switch error.kind {
                case .system(.openForReading, _, let message): reason = "cannot open it (\(message))"
                case .system(.read, _, let message): reason = "reading it failed (\(message))"
                case .system(_, _, let message): reason = "cannot inspect it (\(message))"
                default: reason = "\(error)"
                }
                if !noticed {
                    deliver(.notice("\(path): \(reason); trying again"))
                    noticed = true
                }
                pause()
                continue
            }
            if change != .absent { noticed = false }
            switch change {
            case .appended:
                deliverLines(from: tail, decoder: decoder)
            case .absent:
                if !noticed {
                    deliver(.notice("waiting for \(path) to appear (the detector has not created it yet)"))
                    noticed = true
                }
                pause()
            case .truncated:
                deliver(.notice("\(path) was truncated; reading it again from its start"))
            case .rotated:
                // The old file was read to its end; its last line may lack a newline.
                deliverLines(from: tail, decoder: decoder, withPending: true)
                deliver(.notice("\(path) was replaced; reading the new file from its start"))
            case .unchanged:
                if tail.isPipe { tail.waitForPipe(milliseconds: Int(pollInterval * 1000)) } else { pause() }
            }
        }
    }

    private func pause() {
        if !isStopped { usleep(useconds_t(pollInterval * 1_000_000)) }
    }

    /// Hands on the complete lines the tail holds (and, `withPending`, the bytes after its last newline
    /// as one more line), parsed, in order.
    private func deliverLines(from tail: FileTail, decoder: JSONDecoder, withPending: Bool = false) {
        var lines: [LiveDetectionLine] = []
        while let line = tail.nextLine() {
            parse(line, lineNumber: tail.lineNumber, decoder: decoder, into: &lines)
        }
        if withPending, !tail.pending.isEmpty {
            parse(tail.pending, lineNumber: tail.lineNumber + 1, decoder: decoder, into: &lines)
        }
        if !lines.isEmpty { deliver(.lines(lines)) }
    }

    private func parse(
        _ line: some Collection<UInt8>, lineNumber: Int, decoder: JSONDecoder, into lines: inout [LiveDetectionLine]
    ) {
        if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
        do {
            lines.append(try LiveDetectionLine.parse(line, decoder: decoder))
        } catch {
            // Lines before the bad one go first, so the order of events is the file's.
            if !lines.isEmpty {
                deliver(.lines(lines))
                lines = []
            }
            deliver(.badLine(MOTFileError(path: path, line: lineNumber, message: error.description)))
        }
    }
}
