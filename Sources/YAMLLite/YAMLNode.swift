/// A parsed YAML-lite node: its value, where it starts in the file, and (for scalars) the text as written.
///
/// Every node and every mapping key carries a ``YAMLMark``, so a check made long after parsing
/// (a camera file that does not exist) can still point at `file:line:column`.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Kind: Sendable {
        /// An empty value, `~` or `null`.
        case null
        /// A boolean scalar.
        case bool(Bool)
        /// An integer scalar.
        case int(Int)
        /// A floating-point scalar.
        case double(Double)
        /// A string scalar (plain ones that resolve to no other type, and all quoted ones).
        case string(String)
        /// A block or flow sequence.
        case sequence([YAMLNode])
        /// A block mapping, entries in file order.
        case mapping([Entry])
    }

    /// One mapping entry: the key, where the key is written, and the value node.
    public struct Entry: Sendable {
        /// The key text (unquoted).
        public var key: String
        /// Where the key starts.
        public var keyMark: YAMLMark
        /// The value under the key.
        public var value: YAMLNode

        /// Creates an entry.
        public init(key: String, keyMark: YAMLMark, value: YAMLNode) {
            self.key = key
            self.keyMark = keyMark
            self.value = value
        }
    }

    /// The node's content.
    public var kind: Kind
    /// Where the node starts: the first character of a scalar (its quote, if quoted), the `[` of a flow
    /// sequence, the `-` of a block sequence, the first key of a block mapping. An empty value sits at
    /// the mark of its key (or its `-`).
    public var mark: YAMLMark
    /// A scalar's text exactly as written, quotes included (`eight`, `'8'`); empty for an empty value
    /// and for collections. Error messages quote it.
    public var source: String

    /// Creates a node.
    public init(kind: Kind, mark: YAMLMark, source: String = "") {
        self.kind = kind
        self.mark = mark
        self.source = source
    }

    /// The node as plain data, marks dropped.
    public var value: YAMLValue {
        switch kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .sequence(let items): return .sequence(items.map(\.value))
        case .mapping(let entries): return .mapping(entries.map { .init(key: $0.key, value: $0.value.value) })
        }
    }
}
