import Foundation

/// One node under construction while a value encodes itself; containers hand out child slots so a
/// nested container can keep writing into its place after the parent returned it.
///
/// - Note: Reference type on purpose (containers share their slot); confined to one `encode` call.
final class EncodingSlot {
    enum Content {
        case empty
        case scalar(YAMLValue)
        case sequence([EncodingSlot])
        case mapping([(key: String, slot: EncodingSlot)])
    }

    var content: Content = .empty

    /// Stores `value`: scalars directly, anything else through its `encode(to:)`.
    func store<T: Encodable>(_ value: T, at path: [any CodingKey]) throws {
        switch value {
        case let v as Bool: content = .scalar(.bool(v))
        case let v as String: content = .scalar(.string(v))
        case let v as Double: content = .scalar(.double(v))
        // Float's shortest decimal, so 0.1 as Float is written 0.1 rather than 0.10000000149011612.
        case let v as Float: content = .scalar(.double(Double("\(v)") ?? Double(v)))
        case let v as Int: content = .scalar(.int(v))
        // Foundation's own URL coding is a keyed {relative, base} pair; in a config a URL is one string.
        case let v as URL: content = .scalar(.string(v.absoluteString))
        case let v as any FixedWidthInteger:
            guard let i = Int(exactly: v) else {
                throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(v) does not fit in a 64-bit signed integer"))
            }
            content = .scalar(.int(i))
        default:
            try value.encode(to: NodeEncoder(slot: self, codingPath: path))
        }
    }

    /// The child slot for `key`, created (at the end) if the mapping does not have it yet.
    func child(forKey key: String) -> EncodingSlot {
        var entries: [(key: String, slot: EncodingSlot)] = []
        if case .mapping(let existing) = content { entries = existing }
        if let found = entries.first(where: { $0.key == key }) { return found.slot }
        let slot = EncodingSlot()
        entries.append((key, slot))
        content = .mapping(entries)
        return slot
    }

    /// A new slot appended to the sequence.
    func appendChild() -> EncodingSlot {
        var items: [EncodingSlot] = []
        if case .sequence(let existing) = content { items = existing }
        let slot = EncodingSlot()
        items.append(slot)
        content = .sequence(items)
        return slot
    }

    func becomeMapping() { if case .mapping = content {} else { content = .mapping([]) } }
    func becomeSequence() { if case .sequence = content {} else { content = .sequence([]) } }

    /// The finished value (an untouched slot is null).
    func value(at path: [any CodingKey]) throws -> YAMLValue {
        switch content {
        case .empty: return .null
        case .scalar(let v): return v
        case .sequence(let items): return .sequence(try items.map { try $0.value(at: path) })
        case .mapping(let entries):
            return .mapping(try entries.map { entry in
                guard entry.key.unicodeScalars.count <= 1024 else {
                    throw EncodingError.invalidValue(entry.key, .init(codingPath: path, debugDescription: "mapping key longer than 1024 characters"))
                }
                return YAMLValue.Entry(key: entry.key, value: try entry.slot.value(at: path))
            })
        }
    }
}
