/// A position in a YAML-lite file: 1-based line and column (columns count Unicode scalars, as PyYAML does).
public struct YAMLMark: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int

    /// Creates a mark at `line`:`column` (both 1-based).
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, the form used inside error messages.
    public var description: String { "\(line):\(column)" }
}
