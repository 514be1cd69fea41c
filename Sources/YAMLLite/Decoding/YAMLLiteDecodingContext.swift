import Foundation

/// What the decoder knows while filling a value: the file, the whole tree (to find the mark of any
/// coding path), and how to turn each kind of failure into an actionable ``YAMLLiteError``.
struct YAMLLiteDecodingContext: Sendable {
    let file: String
    let root: YAMLNode

    /// The kinds of value a field can expect, each with the words used in messages.
    enum Expected {
        case integer, number, boolean, string, list, mapping

        var phrase: String {
            switch self {
            case .integer: return "an integer"
            case .number: return "a number"
            case .boolean: return "true or false"
            case .string: return "a string"
            case .list: return "a list"
            case .mapping: return "a mapping"
            }
        }
    }

    /// Decodes `type` from `node`, which sits at `path`; scalars are unboxed here, everything else
    /// goes through the type's `init(from:)`, whose foreign errors are turned into marked ones.
    func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode, at path: [any CodingKey]) throws -> T {
        if let value = try unboxScalar(type, node, path) { return value }
        do {
            return try T(from: NodeDecoder(context: self, node: node, codingPath: path))
        } catch let error as YAMLLiteError {
            throw error
        } catch let error as DecodingError {
            // A closed set of choices (`enum Mode: String, Decodable, CaseIterable`) refused the value: list them.
            if let type = T.self as? any (CaseIterable & RawRepresentable).Type {
                let choices = Self.rawValues(type)
                if !choices.isEmpty { throw notAChoice(node, path, choices: choices) }
            }
            throw wrap(error, node: node, at: path)
        } catch {
            throw wrap(error, node: node, at: path)
        }
    }

    private static func rawValues<C: CaseIterable & RawRepresentable>(_ type: C.Type) -> [String] {
        C.allCases.map { "\($0.rawValue)" }
    }

    private func notAChoice(_ node: YAMLNode, _ path: [any CodingKey], choices: [String]) -> YAMLLiteError {
        let hint: String
        if case .string(let s) = node.kind, let nearest = NearestKey.suggestion(for: s, among: choices) {
            hint = "did you mean `\(nearest)`?"
        } else {
            hint = "write one of them"
        }
        return YAMLLiteError(
            .invalidValue, file: file, at: node.mark,
            message: "expected one of \(choices.map { "`\($0)`" }.joined(separator: ", ")) \(path.isEmpty ? "at the top level" : "for `\(Self.render(path))`"), found \(found(node))",
            hint: hint)
    }

    // MARK: - Scalars

    private func unboxScalar<T>(_ type: T.Type, _ node: YAMLNode, _ path: [any CodingKey]) throws -> T? {
        switch type {
        case is Bool.Type: return try bool(node, path) as? T
        case is String.Type: return try string(node, path) as? T
        case is Double.Type: return try double(node, path) as? T
        case is Float.Type: return Float(try double(node, path)) as? T
        case is Int.Type: return try integer(Int.self, node, path) as? T
        case is Int8.Type: return try integer(Int8.self, node, path) as? T
        case is Int16.Type: return try integer(Int16.self, node, path) as? T
        case is Int32.Type: return try integer(Int32.self, node, path) as? T
        case is Int64.Type: return try integer(Int64.self, node, path) as? T
        case is UInt.Type: return try integer(UInt.self, node, path) as? T
        case is UInt8.Type: return try integer(UInt8.self, node, path) as? T
        case is UInt16.Type: return try integer(UInt16.self, node, path) as? T
        case is UInt32.Type: return try integer(UInt32.self, node, path) as? T
        case is UInt64.Type: return try integer(UInt64.self, node, path) as? T
        // Foundation's own URL coding is a keyed {relative, base} pair; in a config a URL is one string.
        case is URL.Type: return try url(node, path) as? T
        default: return nil
        }
    }

    func bool(_ node: YAMLNode, _ path: [any CodingKey]) throws(YAMLLiteError) -> Bool {
        guard case .bool(let b) = node.kind else { throw mismatch(.boolean, node, path) }
        return b
    }

    func string(_ node: YAMLNode, _ path: [any CodingKey]) throws(YAMLLiteError) -> String {
        guard case .string(let s) = node.kind else { throw mismatch(.string, node, path) }
        return s
    }

    func url(_ node: YAMLNode, _ path: [any CodingKey]) throws(YAMLLiteError) -> URL {
        guard case .string(let s) = node.kind, !s.isEmpty, let url = URL(string: s) else {
            throw YAMLLiteError(
                .typeMismatch, file: file, at: node.mark,
                message: "expected a path or URL \(path.isEmpty ? "at the top level" : "for `\(Self.render(path))`"), found \(found(node))",
                hint: "write a path such as Samples/data/vtest.avi or a URL such as rtsp://host:554/stream (quoted if it contains `: ` or ` #`)")
        }
        return url
    }

    func double(_ node: YAMLNode, _ path: [any CodingKey]) throws(YAMLLiteError) -> Double {
        switch node.kind {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw mismatch(.number, node, path)
        }
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, _ node: YAMLNode, _ path: [any CodingKey]) throws(YAMLLiteError) -> I {
        guard case .int(let i) = node.kind else { throw mismatch(.integer, node, path) }
        guard let value = I(exactly: i) else {
            throw YAMLLiteError(
                .typeMismatch, file: file, at: node.mark,
                message: "`\(node.source)` is out of range for \(subject(path))",
                hint: "write a whole number from \(I.min) to \(I.max)")
        }
        return value
    }

    // MARK: - Errors

    /// "expected an integer for `batch_size`, found `eight` — write a whole number such as 8".
    func mismatch(_ expected: Expected, _ node: YAMLNode, _ path: [any CodingKey]) -> YAMLLiteError {
        YAMLLiteError(
            .typeMismatch, file: file, at: node.mark,
            message: "expected \(expected.phrase) \(path.isEmpty ? "at the top level" : "for `\(Self.render(path))`"), found \(found(node))",
            hint: hint(expected, node, path))
    }

    private func found(_ node: YAMLNode) -> String {
        switch node.kind {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .null where node.source.isEmpty: return "nothing"
        default: return "`\(node.source)`"
        }
    }

    private func hint(_ expected: Expected, _ node: YAMLNode, _ path: [any CodingKey]) -> String {
        let name = path.last.map { $0.intValue != nil && $0 is YAMLLiteIndexKey ? "the item" : "`\($0.stringValue):`" } ?? "the top level"
        switch expected {
        case .integer:
            if case .double(let d) = node.kind, d.rounded() == d, d.magnitude < 1e18 {
                return "write \(Int(d)) without a decimal point"
            }
            return "write a whole number such as 8"
        case .number:
            if case .string(let s) = node.kind, !node.source.hasPrefix("\""), !node.source.hasPrefix("'"),
               s.contains(where: { $0 == "e" || $0 == "E" }), let d = Double(s) {
                return "YAML 1.1 reads `\(s)` as text: write it with a decimal point and a signed exponent, such as \(YAMLLiteEmitter.format(d))"
            }
            return "write a number such as 0.5"
        case .boolean:
            return "write true or false"
        case .string:
            switch node.kind {
            case .sequence, .mapping: return "write a single value"
            case .null where node.source.isEmpty: return "write a value after \(name)"
            default: return "quote it if you mean text: '\(node.source)'"
            }
        case .list:
            return "write the items as `- item` lines under \(name), or as [a, b]"
        case .mapping:
            return "write `key: value` lines indented under \(name)"
        }
    }

    /// "missing key `url` in `cameras[1]` — add `url: <path or URL>`", at the mapping's mark.
    /// `valueType` is nil when unknown (a `keyNotFound` thrown by a type's own `init(from:)`).
    func missingKey(_ key: any CodingKey, valueType: Any.Type?, in node: YAMLNode, _ path: [any CodingKey]) -> YAMLLiteError {
        let name = key.stringValue
        let add: String
        switch valueType ?? Never.self {
        case is Never.Type: add = "add `\(name): <value>`"
        case is any FixedWidthInteger.Type: add = "add `\(name): <whole number>`"
        case is Double.Type, is Float.Type: add = "add `\(name): <number>`"
        case is Bool.Type: add = "add `\(name): true` or `\(name): false`"
        case is String.Type: add = "add `\(name): <text>`"
        case is URL.Type: add = "add `\(name): <path or URL>`"
        case is any ExpressibleByArrayLiteral.Type: add = "add `\(name):` with its `- item` lines below it"
        default: add = "add `\(name):` with its `key: value` lines indented below it"
        }
        return YAMLLiteError(
            .missingKey, file: file, at: node.mark,
            message: "missing key `\(name)` \(path.isEmpty ? "at the top level" : "in `\(Self.render(path))`")",
            hint: add)
    }

    /// "unknown key `camras` — did you mean `cameras`?", at the key's mark.
    func unknownKey(_ entry: YAMLNode.Entry, known: [String]) -> YAMLLiteError {
        let hint: String
        if let nearest = NearestKey.suggestion(for: entry.key, among: known) {
            hint = "did you mean `\(nearest)`?"
        } else if known.isEmpty {
            hint = "remove it: no keys are allowed here"
        } else {
            hint = "the keys allowed here are " + known.map { "`\($0)`" }.joined(separator: ", ")
        }
        return YAMLLiteError(.unknownKey, file: file, at: entry.keyMark, message: "unknown key `\(entry.key)`", hint: hint)
    }

    /// Turns an error thrown inside a type's `init(from:)` into one at the mark of its coding path.
    func wrap(_ error: any Error, node: YAMLNode, at path: [any CodingKey]) -> YAMLLiteError {
        if let error = error as? YAMLLiteError { return error }
        guard let decodingError = error as? DecodingError else {
            return YAMLLiteError(.invalidValue, file: file, at: node.mark, message: "\(error)",
                                 hint: changeHint(path))
        }
        let context: DecodingError.Context
        switch decodingError {
        case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c): context = c
        case .keyNotFound(let key, let c):
            let target = root.deepestNode(along: c.codingPath)
            return missingKey(key, valueType: nil, in: target, c.codingPath)
        @unknown default:
            return YAMLLiteError(.invalidValue, file: file, at: node.mark, message: "\(error)", hint: changeHint(path))
        }
        let target = root.deepestNode(along: context.codingPath)
        let parts = context.debugDescription.components(separatedBy: " — ")
        let message = parts[0]
        let hint = parts.count > 1 ? parts.dropFirst().joined(separator: " — ") : changeHint(context.codingPath)
        return YAMLLiteError(.invalidValue, file: file, at: target.mark, message: message, hint: hint)
    }

    private func changeHint(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "change the document" : "change the value of `\(Self.render(path))`"
    }

    private func subject(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "the top level" : "`\(Self.render(path))`"
    }

    /// A coding path as users write it: `cameras[1].url`.
    static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let i = key.intValue, key is YAMLLiteIndexKey {
                text += "[\(i)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}
