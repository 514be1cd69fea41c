/// One event read from an events file: the decoded record, its exact bytes, and where it was.
public struct EventEntry: Sendable, Equatable {
    /// The decoded event.
    public var record: EventRecord
    /// The line's bytes as stored, without the `\n` (what `tail --json` passes through).
    public var bytes: [UInt8]
    /// The 1-based line number in the file it was read from (after a rotation or truncation, in the new
    /// content).
    public var lineNumber: Int

    /// Makes an entry.
    public init(record: EventRecord, bytes: [UInt8], lineNumber: Int) {
        self.record = record
        self.bytes = bytes
        self.lineNumber = lineNumber
    }
}
