/// The `Decoder` handed to a type's `init(from:)`: one node of the tree and the path to it.
struct NodeDecoder: Decoder {
    let context: YAMLLiteDecodingContext
    let node: YAMLNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let entries) = node.kind else { throw context.mismatch(.mapping, node, codingPath) }
        return KeyedDecodingContainer(
            try KeyedNodeContainer<Key>(context: context, node: node, entries: entries, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let items) = node.kind else { throw context.mismatch(.list, node, codingPath) }
        return UnkeyedNodeContainer(context: context, items: items, node: node, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueNodeContainer(context: context, node: node, codingPath: codingPath)
    }
}

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

/// A sequence read item by item; coding-path entries are ``YAMLLiteIndexKey``s, rendered `[i]`.
struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let context: YAMLLiteDecodingContext
    let items: [YAMLNode]
    let node: YAMLNode
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(context: YAMLLiteDecodingContext, items: [YAMLNode], node: YAMLNode, codingPath: [any CodingKey]) {
        self.context = context
        self.items = items
        self.node = node
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> (YAMLNode, [any CodingKey]) {
        guard !isAtEnd else {
            throw YAMLLiteError(
                .missingKey, file: context.file, at: node.mark,
                message: "`\(YAMLLiteDecodingContext.render(codingPath))` has too few items (\(items.count))",
                hint: "add the missing items")
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [YAMLLiteIndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex].kind else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (item, path) = try next()
        return try context.decode(type, from: item, at: path)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeItem(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeItem(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeItem(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeItem(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeItem(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeItem(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeItem(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeItem(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeItem(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeItem(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeItem(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeItem(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeItem(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeItem(type) }

    private mutating func decodeItem<T: Decodable>(_ type: T.Type) throws -> T {
        let (item, path) = try next()
        return try context.decode(type, from: item, at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (item, path) = try next()
        return try NodeDecoder(context: context, node: item, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (item, path) = try next()
        return try NodeDecoder(context: context, node: item, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (item, path) = try next()
        return NodeDecoder(context: context, node: item, codingPath: path)
    }
}

/// One node read as a single value (enums with raw values, wrappers, `Optional`).
struct SingleValueNodeContainer: SingleValueDecodingContainer {
    let context: YAMLLiteDecodingContext
    let node: YAMLNode
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = node.kind { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try context.decode(type, from: node, at: codingPath) }

    func decode(_ type: Bool.Type) throws -> Bool { try context.bool(node, codingPath) }
    func decode(_ type: String.Type) throws -> String { try context.string(node, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try context.double(node, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try context.double(node, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try context.integer(type, node, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try context.integer(type, node, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try context.integer(type, node, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try context.integer(type, node, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try context.integer(type, node, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try context.integer(type, node, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try context.integer(type, node, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try context.integer(type, node, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try context.integer(type, node, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try context.integer(type, node, codingPath) }
}
