import Foundation

/// A floating-point type a ``PackedVector`` can hold: its IEEE bit pattern goes to bytes and back.
public protocol PackableFloatingPoint: BinaryFloatingPoint, Sendable {
    /// The unsigned integer of the same width.
    associatedtype Bits: FixedWidthInteger & UnsignedInteger
    var bitPattern: Bits { get }
    init(bitPattern: Bits)
}

extension Float: PackableFloatingPoint {}
extension Double: PackableFloatingPoint {}

/// A vector coded as the base64 of its little-endian IEEE bytes: bit-exact (NaN payloads and infinities
/// included), and a third of the size of the same numbers in JSON. Checkpoints hold every track's
/// embeddings this way.
public struct PackedVector<Element: PackableFloatingPoint>: Codable, Sendable, Equatable {
    /// The values.
    public var values: [Element]

    /// Wraps `values`.
    public init(_ values: [Element]) {
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        let width = MemoryLayout<Element.Bits>.size
        var bytes = [UInt8](repeating: 0, count: values.count * width)
        bytes.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * width, as: Element.Bits.self) }
        }
        var c = encoder.singleValueContainer()
        try c.encode(Data(bytes).base64EncodedString())
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        let width = MemoryLayout<Element.Bits>.size
        guard let data = Data(base64Encoded: text), data.count % width == 0 else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a base64 vector of \(width)-byte values")
        }
        values = data.withUnsafeBytes { raw in
            (0..<(data.count / width)).map {
                Element(bitPattern: Element.Bits(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * width, as: Element.Bits.self)))
            }
        }
    }
}
