/// A coding key for a sequence position, rendered `[index]` in messages; use it to build coding
/// paths for ``YAMLLiteDocument/mark(at:)``.
public struct YAMLLiteIndexKey: CodingKey, Sendable {
    /// The 0-based position.
    public var intValue: Int?
    /// The position as text.
    public var stringValue: String { "\(intValue ?? 0)" }

    /// The key for position `index`.
    public init(_ index: Int) { intValue = index }
    /// The key for position `intValue`.
    public init(intValue: Int) { self.intValue = intValue }
    /// The key for a position written as text, when it is a number.
    public init?(stringValue: String) {
        guard let i = Int(stringValue) else { return nil }
        intValue = i
    }
}
