/// Writes an `Encodable` value as block-style YAML-lite text that reads back (with this module and
/// with PyYAML) as the same value.
///
/// Mappings keep the order in which the type encodes its keys; strings that YAML would read as
/// another type (`yes`, `1.0`, `~`, ``) or that need quoting (`a: b`, `# x`, leading spaces) are
/// quoted; sequences of a few short scalars are written inline (`[384, 128]`), others as `- item`
/// lines. `nil` optionals encoded with `encodeIfPresent` (what synthesized conformances do) are left out.
public struct YAMLLiteEncoder {
    /// Creates an encoder.
    public init() {}

    /// The YAML-lite text of `value`, ending with a newline.
    ///
    /// - Throws: `EncodingError.invalidValue` for a value YAML-lite cannot write (a mapping key longer
    ///   than 1024 characters), or any error `value`'s `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> String {
        YAMLLiteEmitter().emit(try tree(value))
    }

    /// `value` as the plain tree that ``encode(_:)`` writes.
    public func tree<T: Encodable>(_ value: T) throws -> YAMLValue {
        let slot = EncodingSlot()
        try slot.store(value, at: [])
        return try slot.value(at: [])
    }
}
