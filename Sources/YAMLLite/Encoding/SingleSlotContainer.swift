/// A single value written into its slot.
struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws { try slot.store(value, at: codingPath) }
}
