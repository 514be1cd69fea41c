/// A last line that was skipped because its writer stopped in the middle of it.
///
/// A healthy writer appends whole lines; a line without its newline at the end of a file (or one
/// that is not valid JSON there) is what a crash or a full disk leaves behind.
public struct TornLine: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line number.
    public var lineNumber: Int
    /// How many bytes the line holds (its newline included, if it has one).
    public var byteCount: Int
    /// True when the line has its newline but is not an event.
    public var hasNewline: Bool

    /// Makes a report.
    public init(lineNumber: Int, byteCount: Int, hasNewline: Bool) {
        self.lineNumber = lineNumber
        self.byteCount = byteCount
        self.hasNewline = hasNewline
    }

    /// What was skipped, without the line number (callers put `file:line:` before it): "skipped a torn
    /// last line (31 bytes without a newline); its writer stopped mid-line".
    public var description: String {
        let shape = hasNewline ? "that are not an event" : "without a newline"
        return "skipped a torn last line (\(byteCount) bytes \(shape)); its writer stopped mid-line"
    }
}
