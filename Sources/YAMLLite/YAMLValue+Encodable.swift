/// A ``YAMLValue`` encodes as the structure it describes (mappings in file order), so
/// `JSONEncoder().encode(document.value)` prints the effective configuration as JSON and
/// ``YAMLLiteEncoder`` can write any tree back out.
extension YAMLValue: Encodable {
    /// Encodes the value: null, a scalar, an unkeyed list or a keyed mapping.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let b):
            var container = encoder.singleValueContainer()
            try container.encode(b)
        case .int(let i):
            var container = encoder.singleValueContainer()
            try container.encode(i)
        case .double(let d):
            var container = encoder.singleValueContainer()
            try container.encode(d)
        case .string(let s):
            var container = encoder.singleValueContainer()
            try container.encode(s)
        case .sequence(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .mapping(let entries):
            var container = encoder.container(keyedBy: MappingKey.self)
            for entry in entries { try container.encode(entry.value, forKey: MappingKey(entry.key)) }
        }
    }

    /// A mapping key as a coding key.
    private struct MappingKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ key: String) { stringValue = key }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
