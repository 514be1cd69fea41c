/// A mapping seen through a type's `CodingKeys`; refuses keys the type does not know when its keys
/// are `CaseIterable` (dictionaries' keys are taken as they are).
struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let context: YAMLLiteDecodingContext
    let node: YAMLNode
    let entries: [YAMLNode.Entry]
    let codingPath: [any CodingKey]

    init(context: YAMLLiteDecodingContext, node: YAMLNode, entries: [YAMLNode.Entry], codingPath: [any CodingKey]) throws {
        self.context = context
        self.node = node
        self.entries = entries
        self.codingPath = codingPath
        if let keys = Key.self as? any CaseIterable.Type {
            let known = Self.names(of: keys)
            if let unknown = entries.first(where: { Key(stringValue: $0.key) == nil }) {
                throw context.unknownKey(unknown, known: known)
            }
        }
    }

    private static func names<C: CaseIterable>(of type: C.Type) -> [String] {
        C.allCases.compactMap { ($0 as? any CodingKey)?.stringValue }
    }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { entries.contains { $0.key == key.stringValue } }

    private func entry(_ key: Key, _ type: Any.Type) throws -> YAMLNode {
        guard let entry = entries.first(where: { $0.key == key.stringValue }) else {
            throw context.missingKey(key, valueType: type, in: node, codingPath)
        }
        return entry.value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let entry = entries.first(where: { $0.key == key.stringValue }) else { return true }
        if case .null = entry.value.kind { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try context.decode(type, from: try entry(key, type), at: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, key) }

    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try context.decode(type, from: try entry(key, type), at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(context: context, node: try entry(key, [String: String].self), codingPath: codingPath + [key])
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(context: context, node: try entry(key, [String].self), codingPath: codingPath + [key])
            .unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        NodeDecoder(context: context, node: node, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        NodeDecoder(context: context, node: try entry(key, [String: String].self), codingPath: codingPath + [key])
    }
}
