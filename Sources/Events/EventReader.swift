/// Reads an events file from its start, one event at a time, without holding the file in memory.
///
/// A torn last line (no newline, or not an event and nothing after it) is skipped and reported in
/// ``tornLastLine``; a line that is not an event anywhere else is an error naming `file:line`.
///
/// - Note: Not thread-safe; use one reader on one task. It owns its descriptor and closes it in
///   `deinit`.
public final class EventReader {
    /// The file read.
    public let path: String
    /// Set once ``next()`` has returned nil, when the file ended with a torn line.
    public private(set) var tornLastLine: TornLine?

    private let descriptor: OwnedDescriptor
    private var lines = LineAssembler()
    private var lineNumber = 0
    private var atEndOfFile = false
    private var scratch: [UInt8] = []
    /// Bytes per `read(2)`.
    private static let chunkSize = 64 * 1024

    /// Opens `path` for reading.
    ///
    /// - Throws: ``EventsError`` naming the path when it cannot be opened.
    public init(path: String) throws(EventsError) {
        self.path = path
        do {
            descriptor = OwnedDescriptor(try Syscalls.openFile(path, flags: Syscalls.readFlags))
        } catch {
            throw EventsError(.openForReading, error, path: path)
        }
    }

    /// The next event, or nil at the end of the file.
    ///
    /// - Throws: ``EventsError`` naming `file:line` for a damaged line before the end, or a read error.
    public func next() throws(EventsError) -> EventEntry? {
        while true {
            if let line = lines.nextLine() {
                lineNumber += 1
                do {
                    return EventEntry(record: try EventRecord(jsonLine: line), bytes: line, lineNumber: lineNumber)
                } catch {
                    if case .badLine = error.kind, try isAtEnd() {
                        tornLastLine = TornLine(lineNumber: lineNumber, byteCount: line.count + 1, hasNewline: true)
                        return nil
                    }
                    throw error.at(path, line: lineNumber)
                }
            }
            if atEndOfFile {
                let pending = lines.pending.count
                if pending > 0 {
                    lineNumber += 1
                    tornLastLine = TornLine(lineNumber: lineNumber, byteCount: pending, hasNewline: false)
                    lines.reset()
                }
                return nil
            }
            try fill()
        }
    }

    /// Reads every event of `path`: the events and the torn last line, if any.
    public static func readAll(path: String) throws(EventsError) -> (events: [EventEntry], tornLastLine: TornLine?) {
        let reader = try EventReader(path: path)
        var events: [EventEntry] = []
        while let entry = try reader.next() { events.append(entry) }
        return (events, reader.tornLastLine)
    }

    /// True when no byte follows the lines handed out so far.
    private func isAtEnd() throws(EventsError) -> Bool {
        while lines.pending.isEmpty && !atEndOfFile { try fill() }
        return lines.pending.isEmpty && atEndOfFile
    }

    private func fill() throws(EventsError) {
        do {
            atEndOfFile = try Self.readChunk(descriptor.fd!, into: &lines, scratch: &scratch) == 0
        } catch {
            throw EventsError(.read, error, path: path)
        }
    }

    /// Reads up to one chunk from `fd` into `lines` through `scratch` (sized once by its owner and
    /// reused); returns the byte count (0 at end of file).
    static func readChunk(
        _ fd: Int32, into lines: inout LineAssembler, scratch: inout [UInt8]
    ) throws(SystemCallError) -> Int {
        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: chunkSize) }
        let n: Int
        do {
            n = try scratch.withUnsafeMutableBytes { try Syscalls.readOnce(fd, $0) }
        } catch let error as SystemCallError {
            throw error
        } catch {
            preconditionFailure("read raised \(error)")
        }
        scratch.withUnsafeBytes { lines.append(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        return n
    }
}
