/// A bounds-checked little-endian cursor over a file's bytes: every read checks the remaining
/// length first and throws ``WeightsError/Kind/truncated(what:offset:)`` instead of reading past the end.
struct ByteReader {
    let bytes: [UInt8]
    /// The next byte to read; absolute within `bytes`.
    private(set) var position: Int
    /// One past the last byte this reader may read.
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    mutating func require(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw WeightsError(.truncated(what: what(), offset: position))
        }
    }

    mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws {
        try require(count, what())
        position += count
    }

    mutating func byte(_ what: @autoclosure () -> String) throws -> UInt8 {
        try require(1, what())
        defer { position += 1 }
        return bytes[position]
    }

    /// `count` bytes as a new array.
    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        try require(count, what())
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// An unsigned little-endian integer of `width` bytes (1...8).
    mutating func unsignedLE(_ width: Int, _ what: @autoclosure () -> String) throws -> UInt64 {
        try require(width, what())
        var value: UInt64 = 0
        for index in 0..<width {
            value |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += width
        return value
    }

    /// A signed little-endian 32-bit integer.
    mutating func int32LE(_ what: @autoclosure () -> String) throws -> Int32 {
        Int32(truncatingIfNeeded: try unsignedLE(4, what()))
    }

    /// A signed little-endian 64-bit integer.
    mutating func int64LE(_ what: @autoclosure () -> String) throws -> Int64 {
        Int64(bitPattern: try unsignedLE(8, what()))
    }

    /// A big-endian IEEE double (pickle's BINFLOAT).
    mutating func doubleBE(_ what: @autoclosure () -> String) throws -> Double {
        try require(8, what())
        var bits: UInt64 = 0
        for index in 0..<8 { bits = bits << 8 | UInt64(bytes[position + index]) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// Bytes up to (not including) the next `\n`, which is consumed.
    mutating func line(_ what: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        guard let newline = bytes[position..<end].firstIndex(of: 0x0A) else {
            throw WeightsError(.truncated(what: what(), offset: position))
        }
        defer { position = newline + 1 }
        return bytes[position..<newline]
    }
}
