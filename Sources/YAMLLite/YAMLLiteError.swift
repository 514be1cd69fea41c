/// A YAML-lite file could not be read, parsed or decoded: where, what is wrong, and what to do.
///
/// `description` is what the user reads: `file:line:column: message — hint`, for example
/// `sample.yaml:3:1: unknown key `camras` — did you mean `cameras`?`. Only an error about the file as a
/// whole (it cannot be read, it is not UTF-8 text) has `line` and `column` 0 and reads `file: message — hint`.
public struct YAMLLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Which rule was broken; lets callers and tests tell refusals apart without matching text.
    public enum Code: String, Sendable, Equatable {
        /// The file could not be read.
        case unreadableFile
        /// The bytes are not UTF-8, or contain a character YAML does not allow.
        case invalidCharacter
        /// A tab where YAML only allows spaces (indentation, or between tokens).
        case tab
        /// An anchor (`&name`).
        case anchor
        /// An alias (`*name`).
        case alias
        /// A tag (`!foo`, `!!str`).
        case tag
        /// A `---` or `...` document marker, or a `%` directive.
        case documentMarker
        /// A block scalar (`|` or `>`).
        case blockScalar
        /// A flow mapping (`{a: 1}`).
        case flowMapping
        /// A key that appears twice in one mapping.
        case duplicateKey
        /// A plain value that PyYAML would read as a type YAML-lite cannot represent the same way
        /// (a timestamp, a base-60 number, a number too large for 64 bits).
        case ambiguousScalar
        /// Any other structure YAML-lite does not accept (bad indentation, an unclosed quote ...).
        case syntax
        /// A mapping key the target type does not know.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong type for its field.
        case typeMismatch
        /// A value the target type refused (its `init(from:)` threw).
        case invalidValue
    }

    /// Which rule was broken.
    public var code: Code
    /// The file as named to the parser (a path, or a label such as `<stdin>`).
    public var file: String
    /// The 1-based line, or 0 for an error about the whole file.
    public var line: Int
    /// The 1-based column (in Unicode scalars), or 0 for an error about the whole file.
    public var column: Int
    /// What is wrong, e.g. "unknown key `camras`".
    public var message: String
    /// What to do about it, e.g. "did you mean `cameras`?".
    public var hint: String

    /// Creates an error at `mark` (or about the whole file when `mark` is nil).
    public init(_ code: Code, file: String, at mark: YAMLMark?, message: String, hint: String) {
        self.code = code
        self.file = file
        self.line = mark?.line ?? 0
        self.column = mark?.column ?? 0
        self.message = message
        self.hint = hint
    }

    /// Where the error is, when it is inside the file.
    public var mark: YAMLMark? { line > 0 ? YAMLMark(line: line, column: column) : nil }

    /// `file:line:column: message — hint` (or `file: message — hint` for an error about the whole file).
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message) — \(hint)" : "\(file): \(message) — \(hint)"
    }
}
