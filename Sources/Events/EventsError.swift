#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An events file could not be written or read, or an event breaks schema version 1.
///
/// The ``description`` is what the user reads: the file (and line, or the event's seq and type),
/// the operation, the system's own message, and what to do.
public struct EventsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file operation that failed.
    public enum Operation: String, Sendable, Equatable {
        /// `open(O_WRONLY|O_CREAT|O_APPEND)`.
        case openForAppending = "open for appending"
        /// `open(O_RDONLY)`.
        case openForReading = "open for reading"
        /// `write(2)`.
        case write
        /// `read(2)`.
        case read
        /// `fsync(2)`.
        case fsync
        /// `close(2)`.
        case close
        /// `stat(2)`, `fstat(2)` or `lseek(2)`: asking where and how long the file is.
        case inspect = "inspect"
    }

    /// What went wrong, with the details a caller may match on.
    public enum Kind: Sendable, Equatable {
        /// A system call failed with `errno` `code`; `message` is `strerror`'s text.
        case system(Operation, code: Int32, message: String)
        /// A field holds a value schema version 1 does not allow.
        case invalidField(key: String, problem: String)
        /// Keys the event's type requires are absent.
        case missingKeys([String])
        /// The event or line is of a schema version other than 1.
        case unsupportedVersion(Int)
        /// A line is not an event (not JSON, a key missing or of the wrong type).
        case badLine(detail: String)
        /// The file to append to ends with `bytes` bytes after its last newline, at offset `validLength`.
        case tornTail(bytes: Int, validLength: Int)
        /// The writer was closed.
        case closed
        /// An earlier write or fsync failed (`reason`); the writer takes no more events.
        case failedEarlier(reason: String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The events file, when known (`-` for standard output).
    public var path: String?
    /// The 1-based line in the file, for errors about a line read.
    public var line: Int?
    /// The type of the event being written, for errors about an event.
    public var eventType: EventType?
    /// The seq of the event being written (0 when the sink had not numbered it yet).
    public var seq: Int?

    /// An error of `kind`, optionally naming the file.
    public init(_ kind: Kind, path: String? = nil) {
        self.kind = kind
        self.path = path
    }

    /// The same error, naming the file `path` (and the `line`) if it named none yet.
    func at(_ path: String, line: Int? = nil) -> EventsError {
        var copy = self
        if copy.path == nil { copy.path = path }
        if copy.line == nil { copy.line = line }
        return copy
    }

    /// The same error, naming the event it is about.
    func about(type: EventType, seq: Int) -> EventsError {
        var copy = self
        copy.eventType = type
        copy.seq = seq
        return copy
    }

    /// A failed system call on `path`.
    init(_ operation: Operation, _ error: SystemCallError, path: String) {
        self.init(.system(operation, code: error.code, message: error.message), path: path)
    }

    /// The message for the user: where, what is wrong, what to do.
    public var description: String {
        var place = ""
        if let path { place = path + (line.map { ":\($0)" } ?? "") + ": " }
        if let eventType, let seq {
            place += "event \(seq > 0 ? "seq \(seq)" : "(not numbered yet)") (\(eventType.rawValue)): "
        }
        return place + message
    }

    private var message: String {
        switch kind {
        case .system(let operation, let code, let text):
            return "cannot \(operation.rawValue): \(text). \(Self.advice(operation, code, path: path))."
        case .invalidField(let key, let problem):
            return "`\(key)` \(problem). Fix the value where the event is made "
                + "(`panoptes tail --schema` shows what each field holds)."
        case .missingKeys(let keys):
            let type = eventType?.rawValue ?? "its type"
            return "lacks \(keys.map { "`\($0)`" }.joined(separator: ", ")), which schema version 1 requires for "
                + "\(type). Fill it in where the event is made (`panoptes tail --schema` lists each type's fields)."
        case .unsupportedVersion(let version):
            return "schema version \(version); this panoptes reads and writes version 1. "
                + "Read it with the panoptes that wrote it, or a newer one."
        case .badLine(let detail):
            return "not an event: \(detail). The file is damaged before its end (only a torn last line is "
                + "skipped); repair or delete this line."
        case .tornTail(let bytes, let validLength):
            return "the file ends with \(bytes) bytes after its last newline: a torn line from a writer that "
                + "stopped mid-line. Appending would bury it mid-file; cut it off first with "
                + "`truncate -s \(validLength) \(path ?? "FILE")`."
        case .closed:
            return "the event writer is closed. Open a new writer to append."
        case .failedEarlier(let reason):
            return "the event writer stopped after an earlier failure (\(reason)). Fix that, check the "
                + "file's end, and open a new writer."
        }
    }

    /// What to do about a failed system call.
    private static func advice(_ operation: Operation, _ code: Int32, path: String?) -> String {
        let folder = path.map(\.folder) ?? "its folder"
        switch (operation, code) {
        case (.openForAppending, ENOENT): return "Check that the folder \(folder) exists"
        case (.openForAppending, EACCES), (.openForAppending, EPERM), (.openForAppending, EROFS):
            return "Check that the folder \(folder) is writable by this user"
        case (.openForAppending, _): return "Check that the folder \(folder) exists and is writable"
        case (.openForReading, ENOENT):
            return "Check the path; a run creates the file when it writes its first event"
        case (.openForReading, EACCES): return "Check that the file is readable by this user"
        case (_, EISDIR): return "The path is a folder; name a file such as events.jsonl"
        case (.write, ENOSPC), (.write, EDQUOT):
            return "Free disk space; the file keeps the events written before this one"
        case (.write, EFBIG): return "The file reached its size limit; rotate it (rename it away) and start again"
        case (.fsync, _): return "The disk did not confirm the data (see dmesg); events since the last fsync may be lost"
        default: return "Check the disk and the file system (see dmesg)"
        }
    }
}

extension String {
    /// The text before the last `/` ("." when there is none).
    fileprivate var folder: String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return slash == startIndex ? "/" : String(self[..<slash])
    }
}
