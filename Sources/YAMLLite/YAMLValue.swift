/// A YAML-lite value as plain data: what PyYAML's `safe_load` would return, with mapping order kept.
///
/// Used by tests, by `panoptes validate --print --json`, and wherever marks are not needed
/// (``YAMLNode`` is the same tree with a ``YAMLMark`` on every node).
public indirect enum YAMLValue: Sendable, Equatable {
    /// `~`, `null`, `Null`, `NULL` or nothing at all.
    case null
    /// `true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off`, in their lower, Title and UPPER cases.
    case bool(Bool)
    /// A whole number (decimal, `0x` hex, `0b` binary, `0`-prefixed octal, `_` separators allowed).
    case int(Int)
    /// A number with a decimal point, `.inf`, `-.inf` or `.nan`.
    case double(Double)
    /// Any other scalar, and every quoted one.
    case string(String)
    /// A block (`- item`) or flow (`[a, b]`) sequence.
    case sequence([YAMLValue])
    /// A block mapping, its entries in file order (keys are unique).
    case mapping([Entry])

    /// One `key: value` pair of a mapping.
    public struct Entry: Sendable, Equatable {
        /// The key, always a string in YAML-lite (keys that YAML would read as another type must be quoted).
        public var key: String
        /// The value under `key`.
        public var value: YAMLValue

        /// Creates the entry `key: value`.
        public init(key: String, value: YAMLValue) {
            self.key = key
            self.value = value
        }
    }

    /// Structural equality, with one difference from `Double`'s `==`: `.double(.nan)` equals itself,
    /// so two trees parsed from the same `.nan` compare equal.
    public static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.sequence(a), .sequence(b)): return a == b
        case let (.mapping(a), .mapping(b)): return a == b
        default: return false
        }
    }

    /// The value under `key` when this is a mapping that has it; `nil` otherwise.
    public subscript(key: String) -> YAMLValue? {
        guard case .mapping(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }
}
