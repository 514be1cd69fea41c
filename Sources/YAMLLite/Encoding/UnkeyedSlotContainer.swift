/// A sequence being written: each value appends a child slot.
struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    var count: Int {
        if case .sequence(let items) = slot.content { return items.count }
        return 0
    }

    mutating func encodeNil() throws { slot.appendChild().content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        try slot.appendChild().store(value, at: codingPath + [YAMLLiteIndexKey(index)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let index = count
        return NodeEncoder(slot: slot.appendChild(), codingPath: codingPath + [YAMLLiteIndexKey(index)]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = count
        return NodeEncoder(slot: slot.appendChild(), codingPath: codingPath + [YAMLLiteIndexKey(index)]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let index = count
        return NodeEncoder(slot: slot.appendChild(), codingPath: codingPath + [YAMLLiteIndexKey(index)])
    }
}
