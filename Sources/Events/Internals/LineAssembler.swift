/// Collects bytes read from a file and hands out complete lines (those whose `\n` has arrived).
///
/// Bytes after the last newline stay pending until their newline is appended: that is how readers
/// never deliver half a line that a writer is still writing.
struct LineAssembler {
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet handed out.
    private var start = 0

    /// The bytes received after the last complete line.
    var pending: ArraySlice<UInt8> { buffer[start...] }

    /// Adds bytes read from the file.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // Drop handed-out lines before growing, so the buffer holds at most one read plus a partial line.
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line without its `\n`, or nil when no newline is pending.
    mutating func nextLine() -> [UInt8]? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = Array(buffer[start..<newline])
        start = newline + 1
        return line
    }

    /// Forgets everything (after truncation or when switching files).
    mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }
}
