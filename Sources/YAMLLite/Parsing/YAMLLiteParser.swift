/// Parses YAML-lite text into a ``YAMLNode`` tree, refusing everything outside the subset.
///
/// The parser is line-oriented: a pre-pass splits the text into lines, drops blank and comment-only
/// lines and refuses what is wrong on any line (tabs in indentation, control characters, document
/// markers); then a recursive descent reads block mappings and sequences by indentation. Every
/// scalar, flow sequence and quoted string ends on the line it starts, so anything that would make
/// PyYAML join lines (a multi-line plain scalar, an indented line after a complete value) is refused
/// rather than read differently.
struct YAMLLiteParser {
    /// One line that holds content (not blank, not only a comment).
    struct Line {
        /// The 1-based line number in the file.
        let number: Int
        /// The line's Unicode scalars, without its line break.
        let chars: [Unicode.Scalar]
        /// The number of leading spaces.
        let indent: Int
    }

    /// A scanned mapping key.
    private struct Key {
        let text: String
        let mark: YAMLMark
        /// Index just after the `:` that ends the key.
        let after: Int
    }

    private let file: String
    private var lines: [Line] = []
    private var index = 0

    /// Splits `text` into lines and checks each for characters and markers YAML-lite refuses.
    init(text: String, file: String) throws(YAMLLiteError) {
        self.file = file
        let scalars = Array(text.unicodeScalars)
        var i = scalars.first == "\u{FEFF}" ? 1 : 0  // a byte-order mark, skipped as PyYAML does
        var current: [Unicode.Scalar] = []
        var number = 1
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "\n":
                try commit(current, number: number)
                current = []
                number += 1
                i += 1
            case "\r":
                try commit(current, number: number)
                current = []
                number += 1
                i += (i + 1 < scalars.count && scalars[i + 1] == "\n") ? 2 : 1
            case "\u{85}", "\u{2028}", "\u{2029}":
                throw YAMLLiteError(
                    .invalidCharacter, file: file, at: YAMLMark(line: number, column: current.count + 1),
                    message: "\(Self.codePoint(c)) is a line break in YAML",
                    hint: "end lines with a plain newline (inside double quotes, write it as an escape)")
            default:
                guard Self.isPrintable(c) else {
                    throw YAMLLiteError(
                        .invalidCharacter, file: file, at: YAMLMark(line: number, column: current.count + 1),
                        message: "control character \(Self.codePoint(c)) is not allowed in YAML",
                        hint: "remove it, or write it as \\u\(Self.hex(c.value, digits: 4)) inside double quotes")
                }
                current.append(c)
                i += 1
            }
        }
        try commit(current, number: number)
    }

    /// Parses the whole document: its single top-level value (null when the file holds none).
    mutating func parseDocument() throws(YAMLLiteError) -> YAMLNode {
        guard let first = lines.first else {
            return YAMLNode(kind: .null, mark: YAMLMark(line: 1, column: 1))
        }
        let root = try parseBlock(at: first.indent)
        if index < lines.count {
            let line = lines[index]
            if line.indent < first.indent {
                throw error(.syntax, line, line.indent, "this line is less indented than the document's first line",
                            "indent every top-level line by the same \(first.indent) spaces")
            }
            throw error(.syntax, line, line.indent, "more content after the document's top-level value",
                        "a document holds one value: make the top level a mapping of `key: value` lines or a list of `- item` lines")
        }
        return root
    }

    // MARK: - Pre-pass

    private mutating func commit(_ chars: [Unicode.Scalar], number: Int) throws(YAMLLiteError) {
        var indent = 0
        while indent < chars.count && chars[indent] == " " { indent += 1 }
        let line = Line(number: number, chars: chars, indent: indent)
        if indent < chars.count && chars[indent] == "\t" {
            throw error(.tab, line, indent, "tab used for indentation",
                        "indent with spaces only (YAML does not allow tabs in indentation)")
        }
        if indent == chars.count || chars[indent] == "#" { return }
        if indent == 0 {
            let head = String(decoding: chars.prefix(3).map { UInt8(truncatingIfNeeded: $0.value) }, as: UTF8.self)
            if (head == "---" || head == "...") && isBlank(line, 3) {
                throw error(.documentMarker, line, 0,
                            head == "---" ? "`---` starts a new YAML document" : "`...` ends a YAML document",
                            "a YAML-lite file holds exactly one document: remove the marker (put other documents in their own files)")
            }
            if chars[0] == "%" {
                throw error(.documentMarker, line, 0, "`%` starts a YAML directive",
                            "remove the directive line; YAML-lite files need none")
            }
        }
        lines.append(line)
    }

    /// PyYAML's `Reader.NON_PRINTABLE`, inverted (line breaks are handled by the caller).
    private static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09, 0x20...0x7E, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    private static func hex(_ v: UInt32, digits: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    private static func codePoint(_ c: Unicode.Scalar) -> String { "U+" + hex(c.value, digits: 4) }

    // MARK: - Blocks

    /// Parses the block node that starts at column `c` of the current line.
    private mutating func parseBlock(at c: Int) throws(YAMLLiteError) -> YAMLNode {
        let line = lines[index]
        if isSequenceEntry(line, c) { return try parseSequence(indent: c, sharesParentIndent: false) }
        try rejectIndicator(line, c, inFlow: false)
        if let key = try scanKey(line, c) { return try parseMapping(indent: c, first: key) }
        let (node, end) = try parseInline(line, c)
        try expectLineEnd(line, end, after: "the value")
        index += 1
        return node
    }

    private mutating func parseMapping(indent n: Int, first: Key) throws(YAMLLiteError) -> YAMLNode {
        var entries: [YAMLNode.Entry] = []
        var seen: [String: YAMLMark] = [:]
        var key = first
        while true {
            let line = lines[index]
            if let earlier = seen[key.text] {
                throw YAMLLiteError(
                    .duplicateKey, file: file, at: key.mark,
                    message: "duplicate key `\(key.text)` (first at \(earlier))",
                    hint: "remove one of them: YAML would silently keep only the last")
            }
            seen[key.text] = key.mark
            let value: YAMLNode
            let v = try skipSpaces(line, key.after)
            if v == line.chars.count || line.chars[v] == "#" {
                index += 1
                if index < lines.count && lines[index].indent > n {
                    value = try parseBlock(at: lines[index].indent)
                } else if index < lines.count && lines[index].indent == n && isSequenceEntry(lines[index], n) {
                    value = try parseSequence(indent: n, sharesParentIndent: true)
                } else {
                    value = YAMLNode(kind: .null, mark: key.mark)
                }
            } else {
                if isSequenceEntry(line, v) {
                    throw error(.syntax, line, v, "a `- ` list cannot start on the same line as its key `\(key.text)`",
                                "put each `- item` on its own line below `\(key.text):`")
                }
                let (node, end) = try parseInline(line, v)
                try expectLineEnd(line, end, after: "the value of `\(key.text)`")
                index += 1
                value = node
            }
            entries.append(YAMLNode.Entry(key: key.text, keyMark: key.mark, value: value))
            guard index < lines.count else { break }
            let next = lines[index]
            if next.indent < n { break }
            if next.indent > n {
                throw error(.syntax, next, next.indent, "unexpected indentation",
                            "align this line with `\(key.text)` above, or nest it under a key that ends with `:` (YAML-lite values fit on one line)")
            }
            if isSequenceEntry(next, n) {
                throw error(.syntax, next, n, "a `- ` list item among the keys of a mapping",
                            "put list items under a key that ends with `:`")
            }
            try rejectIndicator(next, n, inFlow: false)
            guard let k = try scanKey(next, n) else {
                throw error(.syntax, next, n, "expected `key: value`",
                            "add `: ` after the key, or quote and indent the line under the key it belongs to")
            }
            key = k
        }
        return YAMLNode(kind: .mapping(entries), mark: first.mark)
    }

    private mutating func parseSequence(indent n: Int, sharesParentIndent: Bool) throws(YAMLLiteError) -> YAMLNode {
        let start = mark(lines[index], n)
        var items: [YAMLNode] = []
        var c = n
        while true {
            let line = lines[index]
            let v = try skipSpaces(line, c + 1)
            if v == line.chars.count || line.chars[v] == "#" {
                index += 1
                if index < lines.count && lines[index].indent > n {
                    items.append(try parseBlock(at: lines[index].indent))
                } else {
                    items.append(YAMLNode(kind: .null, mark: mark(line, c)))
                }
            } else {
                items.append(try parseBlock(at: v))
            }
            guard index < lines.count else { break }
            let next = lines[index]
            if next.indent < n { break }
            if next.indent > n {
                throw error(.syntax, next, next.indent, "unexpected indentation",
                            "align this line with the `-` above, or nest it under a key that ends with `:` (YAML-lite values fit on one line)")
            }
            if !isSequenceEntry(next, n) {
                if sharesParentIndent { break }
                throw error(.syntax, next, n, "expected a `- ` list item",
                            "start the line with `- `, or unindent it to the mapping it belongs to")
            }
            c = n
        }
        return YAMLNode(kind: .sequence(items), mark: start)
    }

    // MARK: - Keys and inline values

    /// The mapping key at column `c`, if the line has `key:` there (a `:` followed by a space or the end).
    private func scanKey(_ line: Line, _ c: Int) throws(YAMLLiteError) -> Key? {
        guard let x = char(line, c) else { return nil }
        let text: String
        let colon: Int
        if x == "'" || x == "\"" {
            let (value, end) = try parseQuoted(line, c)
            let j = try skipSpaces(line, end)
            guard char(line, j) == ":" && isBlank(line, j + 1) else { return nil }
            text = value
            colon = j
        } else {
            guard canStartPlain(line, c, inFlow: false) else { return nil }
            let (end, stop, atColon) = scanPlain(line, c, inFlow: false)
            guard atColon else { return nil }
            text = slice(line, c, end)
            colon = stop
            switch PlainScalarResolver.resolve(text) {
            case .string: break
            case .refused(let what, let hint):
                throw error(.ambiguousScalar, line, c, "key \(what)", hint)
            case .null:
                throw error(.ambiguousScalar, line, c, "key `\(text)` is read as null by YAML", "quote it: '\(text)'")
            case .bool(let b):
                throw error(.ambiguousScalar, line, c, "key `\(text)` is read as the boolean \(b) by YAML", "quote it: '\(text)'")
            case .int:
                throw error(.ambiguousScalar, line, c, "key `\(text)` is read as an integer by YAML", "quote it: '\(text)'")
            case .double:
                throw error(.ambiguousScalar, line, c, "key `\(text)` is read as a number by YAML", "quote it: '\(text)'")
            }
        }
        if colon - c > 1024 {
            throw error(.syntax, line, c, "key is longer than 1024 characters",
                        "shorten it: YAML limits keys written on one line to 1024 characters")
        }
        return Key(text: text, mark: mark(line, c), after: colon + 1)
    }

    /// A scalar, flow sequence or `{}` starting at column `c`; returns the node and the index after it.
    private func parseInline(_ line: Line, _ c: Int) throws(YAMLLiteError) -> (YAMLNode, Int) {
        let at = mark(line, c)
        switch line.chars[c] {
        case "[":
            return try parseFlowSequence(line, c)
        case "{":
            guard char(line, c + 1) == "}" else { throw flowMappingError(line, c) }
            return (YAMLNode(kind: .mapping([]), mark: at, source: "{}"), c + 2)
        case "'", "\"":
            let (value, end) = try parseQuoted(line, c)
            return (YAMLNode(kind: .string(value), mark: at, source: slice(line, c, end)), end)
        default:
            try rejectIndicator(line, c, inFlow: false)
            guard canStartPlain(line, c, inFlow: false) else {
                throw error(.syntax, line, c, "`\(line.chars[c])` cannot start a plain value",
                            "quote the value: '\(slice(line, c, line.chars.count))'")
            }
            let (end, stop, atColon) = scanPlain(line, c, inFlow: false)
            if atColon {
                throw error(.syntax, line, stop, "`:` followed by a space inside a value",
                            "quote the value if it contains `: `, e.g. \"\(slice(line, c, line.chars.count))\"")
            }
            return (try resolvePlain(line, c, end), end)
        }
    }

    private func parseFlowSequence(_ line: Line, _ c: Int) throws(YAMLLiteError) -> (YAMLNode, Int) {
        var items: [YAMLNode] = []
        var j = c + 1
        while true {
            j = try skipSpaces(line, j)
            guard j < line.chars.count, !(line.chars[j] == "#" && line.chars[j - 1] == " ") else {
                throw error(.syntax, line, c, "the list `[` opened here is not closed on this line",
                            "close it with `]` on the same line, or write the items as `- item` lines")
            }
            let x = line.chars[j]
            if x == "]" {
                return (YAMLNode(kind: .sequence(items), mark: mark(line, c), source: slice(line, c, j + 1)), j + 1)
            }
            if x == "[" {
                throw error(.syntax, line, j, "a `[...]` list inside a `[...]` list",
                            "only scalars may go inside `[...]`: write the outer list as `- ` lines")
            }
            if x == "{" { throw flowMappingError(line, j) }
            try rejectIndicator(line, j, inFlow: true)
            if x == "'" || x == "\"" {
                let (value, end) = try parseQuoted(line, j)
                items.append(YAMLNode(kind: .string(value), mark: mark(line, j), source: slice(line, j, end)))
                j = end
            } else {
                guard canStartPlain(line, j, inFlow: true) else {
                    throw error(.syntax, line, j, "`\(x)` cannot start a value inside `[...]`",
                                "quote the item")
                }
                let (end, _, _) = scanPlain(line, j, inFlow: true)
                items.append(try resolvePlain(line, j, end))
                j = end
            }
            j = try skipSpaces(line, j)
            switch char(line, j) {
            case ",": j += 1
            case "]": break
            case ":":
                throw error(.flowMapping, line, j, "`key: value` inside `[...]` makes a flow mapping, which YAML-lite does not support",
                            "write the mapping as indented `key: value` lines, or quote the item if `:` is part of it")
            case "?":
                throw error(.syntax, line, j, "`?` inside `[...]` starts a mapping key in YAML",
                            "quote the item that contains `?`")
            case nil, "#":
                throw error(.syntax, line, c, "the list `[` opened here is not closed on this line",
                            "close it with `]` on the same line, or write the items as `- item` lines")
            default:
                throw error(.syntax, line, j, "expected `,` or `]` after an item of `[...]`",
                            "separate items with commas, and quote items that contain `[`, `]`, `{`, `}` or `,`")
            }
        }
    }

    /// A single- or double-quoted scalar starting at `c` (its quote); returns the text and the index after the closing quote.
    private func parseQuoted(_ line: Line, _ c: Int) throws(YAMLLiteError) -> (String, Int) {
        let quote = line.chars[c]
        var out = String.UnicodeScalarView()
        var j = c + 1
        let unterminated = error(
            .syntax, line, c, "the string opened here is not closed on this line",
            "close it with `\(quote)` on the same line (YAML-lite strings do not span lines; write \\n inside double quotes for a line break)")
        if quote == "'" {
            while true {
                guard j < line.chars.count else { throw unterminated }
                if line.chars[j] == "'" {
                    if char(line, j + 1) == "'" {
                        out.append("'")
                        j += 2
                        continue
                    }
                    return (String(out), j + 1)
                }
                out.append(line.chars[j])
                j += 1
            }
        }
        while true {
            guard j < line.chars.count else { throw unterminated }
            let x = line.chars[j]
            if x == "\"" { return (String(out), j + 1) }
            guard x == "\\" else {
                out.append(x)
                j += 1
                continue
            }
            guard let e = char(line, j + 1) else {
                throw error(.syntax, line, j, "`\\` at the end of a line continues a string on the next line",
                            "keep the string on one line; write \\n for a line break")
            }
            if let replacement = Self.escapes[e] {
                out.append(replacement)
                j += 2
                continue
            }
            guard let length = Self.codeEscapes[e] else {
                throw error(.syntax, line, j, "unknown escape `\\\(e)`",
                            "write `\\\\` for a backslash; YAML's escapes are \\0 \\a \\b \\t \\n \\v \\f \\r \\e \\\" \\/ \\\\ \\N \\_ \\L \\P \\xHH \\uHHHH \\UHHHHHHHH")
            }
            let digits = line.chars.dropFirst(j + 2).prefix(length)
            guard digits.count == length, digits.allSatisfy({ $0.properties.isASCIIHexDigit }) else {
                throw error(.syntax, line, j, "`\\\(e)` needs \(length) hexadecimal digits",
                            "write exactly \(length) digits from 0-9 and A-F after `\\\(e)`")
            }
            var hexText = String.UnicodeScalarView()
            hexText.append(contentsOf: digits)
            guard let code = UInt32(String(hexText), radix: 16), let scalar = Unicode.Scalar(code) else {
                throw error(.syntax, line, j, "`\\\(e)\(String(hexText))` is not a Unicode character (a surrogate, or beyond U+10FFFF)",
                            "write the character itself, or the \\U escape of its code point")
            }
            out.append(scalar)
            j += 2 + length
        }
    }

    /// PyYAML's `ESCAPE_REPLACEMENTS`.
    private static let escapes: [Unicode.Scalar: Unicode.Scalar] = [
        "0": "\u{0}", "a": "\u{7}", "b": "\u{8}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{B}", "f": "\u{C}",
        "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "\\": "\\", "/": "/", "N": "\u{85}", "_": "\u{A0}",
        "L": "\u{2028}", "P": "\u{2029}",
    ]

    /// PyYAML's `ESCAPE_CODES`: escape letter → number of hex digits.
    private static let codeEscapes: [Unicode.Scalar: Int] = ["x": 2, "u": 4, "U": 8]

    /// Scans a plain scalar from `c`. Returns the end of its text (trailing spaces trimmed), where the
    /// scan stopped, and whether it stopped at a `:` that indicates a mapping value.
    private func scanPlain(_ line: Line, _ c: Int, inFlow: Bool) -> (end: Int, stop: Int, atColon: Bool) {
        var j = c
        var end = c
        while j < line.chars.count {
            let x = line.chars[j]
            if x == "\t" { break }
            if x == " " {
                if char(line, j + 1) == "#" { break }
                j += 1
                continue
            }
            if x == ":" {
                let next = char(line, j + 1)
                if next == nil || next == " " || next == "\t"
                    || (inFlow && [",", "[", "]", "{", "}"].contains(next!)) {
                    return (end, j, true)
                }
            }
            if inFlow && [",", "?", "[", "]", "{", "}"].contains(x) { break }
            j += 1
            end = j
        }
        return (end, j, false)
    }

    private func resolvePlain(_ line: Line, _ c: Int, _ end: Int) throws(YAMLLiteError) -> YAMLNode {
        let text = slice(line, c, end)
        let at = mark(line, c)
        switch PlainScalarResolver.resolve(text) {
        case .null: return YAMLNode(kind: .null, mark: at, source: text)
        case .bool(let b): return YAMLNode(kind: .bool(b), mark: at, source: text)
        case .int(let i): return YAMLNode(kind: .int(i), mark: at, source: text)
        case .double(let d): return YAMLNode(kind: .double(d), mark: at, source: text)
        case .string: return YAMLNode(kind: .string(text), mark: at, source: text)
        case .refused(let what, let hint): throw error(.ambiguousScalar, line, c, what, hint)
        }
    }

    // MARK: - Indicators YAML-lite refuses

    /// Throws the specific refusal for a node that starts with an anchor, alias, tag, block scalar,
    /// flow mapping, complex key or reserved character.
    private func rejectIndicator(_ line: Line, _ c: Int, inFlow: Bool) throws(YAMLLiteError) {
        guard let x = char(line, c) else { return }
        let word = { () -> String in
            var j = c + 1
            while j < line.chars.count && !isBlank(line, j) && !(inFlow && [",", "[", "]", "{", "}"].contains(line.chars[j])) { j += 1 }
            return slice(line, c, j)
        }
        switch x {
        case "&":
            throw error(.anchor, line, c, "anchor `\(word())` is not supported",
                        "YAML-lite has no anchors or aliases: write the value out in full where it is used")
        case "*":
            throw error(.alias, line, c, "alias `\(word())` is not supported",
                        "YAML-lite has no anchors or aliases: write the value out in full here")
        case "!":
            throw error(.tag, line, c, "tag `\(word())` is not supported",
                        "remove the tag; quote the value if you want it read as text")
        case "|", ">":
            throw error(.blockScalar, line, c, "block scalar `\(x)` is not supported",
                        "write the text on one line in double quotes, with \\n for line breaks")
        case "{":
            if !inFlow && char(line, c + 1) == "}" { return }
            throw flowMappingError(line, c)
        case "?" where inFlow || isBlank(line, c + 1):
            throw error(.syntax, line, c, "`?` complex keys are not supported", "write `key: value` with a plain or quoted key")
        case ":" where inFlow || isBlank(line, c + 1):
            throw error(.syntax, line, c, "`:` with no key before it", "write `key: value`")
        case "-" where inFlow && isBlank(line, c + 1):
            throw error(.syntax, line, c, "a `- ` list item inside `[...]`", "write the items separated by commas: [a, b]")
        case ",":
            throw error(.syntax, line, c, inFlow ? "empty item in `[...]`" : "`,` cannot start a plain value",
                        inFlow ? "remove the extra comma" : "quote the value")
        case "%", "@", "`", "]", "}":
            throw error(.syntax, line, c, "`\(x)` cannot start a plain value",
                        "quote the value: '\(word())'")
        default:
            return
        }
    }

    private func flowMappingError(_ line: Line, _ c: Int) -> YAMLLiteError {
        error(.flowMapping, line, c, "flow mapping `{...}` is not supported",
              "write the mapping as indented `key: value` lines (only the empty mapping `{}` may be written inline)")
    }

    // MARK: - Small scanners

    private func char(_ line: Line, _ c: Int) -> Unicode.Scalar? { c < line.chars.count ? line.chars[c] : nil }

    private func isBlank(_ line: Line, _ c: Int) -> Bool {
        c >= line.chars.count || line.chars[c] == " " || line.chars[c] == "\t"
    }

    private func isSequenceEntry(_ line: Line, _ c: Int) -> Bool { char(line, c) == "-" && isBlank(line, c + 1) }

    /// PyYAML's `check_plain`: whether a plain scalar may start at `c`.
    private func canStartPlain(_ line: Line, _ c: Int, inFlow: Bool) -> Bool {
        guard let x = char(line, c) else { return false }
        if " \t-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(x) {
            if isBlank(line, c + 1) { return false }
            return x == "-" || (!inFlow && (x == "?" || x == ":"))
        }
        return true
    }

    /// The index of the first non-space at or after `c`; a tab there is refused.
    private func skipSpaces(_ line: Line, _ c: Int) throws(YAMLLiteError) -> Int {
        var j = c
        while j < line.chars.count {
            if line.chars[j] == " " {
                j += 1
            } else if line.chars[j] == "\t" {
                throw error(.tab, line, j, "tab character outside quotes",
                            "separate with spaces (YAML allows tabs only inside quoted strings and comments)")
            } else {
                break
            }
        }
        return j
    }

    /// After a complete value only spaces and a comment may follow on its line.
    private func expectLineEnd(_ line: Line, _ c: Int, after what: String) throws(YAMLLiteError) {
        let j = try skipSpaces(line, c)
        guard j < line.chars.count else { return }
        switch line.chars[j] {
        case "#" where j > c:
            return
        case "#":
            throw error(.syntax, line, j, "`#` right after \(what)", "put a space before `#` to start a comment")
        case ":":
            throw error(.syntax, line, j, "`:` after \(what)",
                        "a key must be plain or quoted text on its own: `key: value`")
        default:
            throw error(.syntax, line, j, "unexpected text after \(what)",
                        "quote the whole value if it is one string, or move the rest to its own line")
        }
    }

    private func slice(_ line: Line, _ a: Int, _ b: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: line.chars[a..<b])
        return String(view)
    }

    private func mark(_ line: Line, _ c: Int) -> YAMLMark { YAMLMark(line: line.number, column: c + 1) }

    private func error(_ code: YAMLLiteError.Code, _ line: Line, _ c: Int, _ message: String, _ hint: String) -> YAMLLiteError {
        YAMLLiteError(code, file: file, at: mark(line, c), message: message, hint: hint)
    }
}
