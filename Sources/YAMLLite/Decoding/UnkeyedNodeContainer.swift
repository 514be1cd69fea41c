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
