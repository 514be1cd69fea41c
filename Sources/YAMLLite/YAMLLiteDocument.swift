import Foundation

/// One parsed YAML-lite file: its node tree with marks, ready to decode into configuration structs.
///
/// ```swift
/// let document = try YAMLLiteDocument.load(contentsOf: url)
/// let config = try document.decode(PipelineConfig.self)
/// let path: [any CodingKey] = [PipelineConfig.CodingKeys.cameras, YAMLLiteIndexKey(1), CameraConfig.CodingKeys.url]
/// if !FileManager.default.fileExists(atPath: config.cameras[1].url.path), let mark = document.mark(at: path) {
///     // report "\(document.file):\(mark): no such file — ..."
/// }
/// ```
public struct YAMLLiteDocument: Sendable {
    /// The file name used in every error (a path, or a label such as `<stdin>`).
    public let file: String
    /// The top-level node (null for a file holding only comments or nothing).
    public var root: YAMLNode

    /// The tree as plain data (for tests and `validate --print --json`).
    public var value: YAMLValue { root.value }

    /// Creates a document from an already built tree.
    public init(file: String, root: YAMLNode) {
        self.file = file
        self.root = root
    }

    /// Parses `text`, naming `file` in errors.
    ///
    /// - Throws: ``YAMLLiteError`` at the first construct outside YAML-lite, or the first plain value
    ///   PyYAML would read as a type YAML-lite cannot represent the same way.
    public static func parse(_ text: String, file: String) throws(YAMLLiteError) -> YAMLLiteDocument {
        var parser = try YAMLLiteParser(text: text, file: file)
        return YAMLLiteDocument(file: file, root: try parser.parseDocument())
    }

    /// Reads and parses the UTF-8 file at `url`; errors name its path.
    ///
    /// - Throws: ``YAMLLiteError`` with code `unreadableFile` (and line 0) when the file cannot be read,
    ///   `invalidCharacter` at the first byte that is not UTF-8, or any parse error.
    public static func load(contentsOf url: URL) throws(YAMLLiteError) -> YAMLLiteDocument {
        let path = url.isFileURL ? url.path : url.absoluteString
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = (error as? CocoaError).flatMap { ($0.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription }
            let exists = FileManager.default.fileExists(atPath: path)
            throw YAMLLiteError(
                .unreadableFile, file: path, at: nil,
                message: exists ? "cannot read the file (\(reason ?? error.localizedDescription))" : "no such file",
                hint: exists ? "check its permissions" : "check the path (relative paths start from \(FileManager.default.currentDirectoryPath))")
        }
        let text = try decodeUTF8(data, file: path)
        return try parse(text, file: path)
    }

    /// Decodes the UTF-8 `data`, or names the line and column of its first invalid byte.
    private static func decodeUTF8(_ data: Data, file: String) throws(YAMLLiteError) -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        var line = 1, column = 1
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput:
                throw YAMLLiteError(.invalidCharacter, file: file, at: nil, message: "the file is not UTF-8 text",
                                    hint: "save it as UTF-8")
            case .error:
                throw YAMLLiteError(.invalidCharacter, file: file, at: YAMLMark(line: line, column: column),
                                    message: "bytes that are not UTF-8", hint: "save the file as UTF-8")
            }
        }
    }

    /// Decodes the document into `type`, reporting every problem at `file:line:column`.
    ///
    /// Unknown keys are refused (with the nearest known key suggested) wherever the target's
    /// `CodingKeys` are `CaseIterable`. An error a type throws from its own `init(from:)` becomes a
    /// ``YAMLLiteError`` at the mark of the error's coding path: a `DecodingError`'s debug description
    /// is the message, and when it contains ` — ` the text after it is the hint.
    ///
    /// - Throws: ``YAMLLiteError`` only.
    public func decode<T: Decodable>(_ type: T.Type) throws(YAMLLiteError) -> T {
        let context = YAMLLiteDecodingContext(file: file, root: root)
        do {
            return try context.decode(type, from: root, at: [])
        } catch let error as YAMLLiteError {
            throw error
        } catch {
            throw context.wrap(error, node: root, at: [])
        }
    }

    /// Where the value at `codingPath` starts (as passed in a decoding error, or built from a type's
    /// `CodingKeys` and ``YAMLLiteIndexKey``), or nil when the document has no such value.
    public func mark(at codingPath: [any CodingKey]) -> YAMLMark? {
        root.node(at: codingPath)?.mark
    }
}
