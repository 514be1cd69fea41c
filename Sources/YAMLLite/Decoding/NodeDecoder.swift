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
