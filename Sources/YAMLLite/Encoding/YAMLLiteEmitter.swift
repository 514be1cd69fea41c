/// Writes a ``YAMLValue`` as block-style YAML-lite text, quoting every string that would otherwise
/// read back as something else.
struct YAMLLiteEmitter {
    /// Sequences of scalars are written inline when they have at most this many items...
    static let flowItemLimit = 8
    /// ...and their inline form is at most this many characters.
    static let flowWidthLimit = 60

    private enum Rendering {
        case inline(String)
        case block([String])
    }

    /// The document text, ending with a newline.
    func emit(_ value: YAMLValue) -> String {
        switch render(value) {
        case .inline(let text): return text + "\n"
        case .block(let lines): return lines.joined(separator: "\n") + "\n"
        }
    }

    private func render(_ value: YAMLValue) -> Rendering {
        switch value {
        case .null, .bool, .int, .double, .string:
            return .inline(scalar(value, inFlow: false))
        case .sequence(let items):
            if items.isEmpty { return .inline("[]") }
            if let flow = flowSequence(items) { return .inline(flow) }
            var lines: [String] = []
            for item in items {
                switch render(item) {
                case .inline(let text): lines.append("- " + text)
                case .block(let block):
                    lines.append("- " + block[0])
                    lines.append(contentsOf: block.dropFirst().map { "  " + $0 })
                }
            }
            return .block(lines)
        case .mapping(let entries):
            if entries.isEmpty { return .inline("{}") }
            var lines: [String] = []
            for entry in entries {
                let key = Self.string(entry.key, inFlow: false)
                switch render(entry.value) {
                case .inline(let text): lines.append(key + ": " + text)
                case .block(let block):
                    lines.append(key + ":")
                    lines.append(contentsOf: block.map { "  " + $0 })
                }
            }
            return .block(lines)
        }
    }

    private func flowSequence(_ items: [YAMLValue]) -> String? {
        guard items.count <= Self.flowItemLimit else { return nil }
        var parts: [String] = []
        for item in items {
            switch item {
            case .sequence, .mapping: return nil
            default: parts.append(scalar(item, inFlow: true))
            }
        }
        let text = "[" + parts.joined(separator: ", ") + "]"
        return text.count <= Self.flowWidthLimit ? text : nil
    }

    private func scalar(_ value: YAMLValue, inFlow: Bool) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return "\(i)"
        case .double(let d): return Self.format(d)
        case .string(let s): return Self.string(s, inFlow: inFlow)
        case .sequence, .mapping: return ""
        }
    }

    /// A double spelt so that YAML 1.1 reads it back as the same double: always a decimal point, and
    /// a signed exponent (`1.0e-05`, not Swift's `1e-05`, which PyYAML reads as a string).
    static func format(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        let text = "\(d)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return text.contains(".") ? text : text + ".0"
        }
        var mantissa = String(text[..<e])
        var exponent = String(text[text.index(after: e)...])
        if !mantissa.contains(".") { mantissa += ".0" }
        if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
        return mantissa + "e" + exponent
    }

    /// `s` plain when that reads back as the same string, else single-quoted, else double-quoted with escapes.
    static func string(_ s: String, inFlow: Bool) -> String {
        if isPlainSafe(s, inFlow: inFlow) { return s }
        if s.unicodeScalars.allSatisfy(isSingleQuotable) {
            return "'" + s.replacingAll("'", with: "''") + "'"
        }
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\u{0}": out += "\\0"
            case "\u{7}": out += "\\a"
            case "\u{8}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{B}": out += "\\v"
            case "\u{C}": out += "\\f"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                if isSingleQuotable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value < 0x100 {
                    out += "\\x" + hex(c.value, 2)
                } else if c.value < 0x10000 {
                    out += "\\u" + hex(c.value, 4)
                } else {
                    out += "\\U" + hex(c.value, 8)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// Printable in PyYAML's sense, and neither a tab, a line break (U+2028 and U+2029 are line
    /// breaks to YAML) nor a byte-order mark.
    private static func isSingleQuotable(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x2028, 0x2029: return false
        case 0x20...0x7E, 0xA0...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// Whether `s` written bare reads back as this very string, in block or flow context.
    static func isPlainSafe(_ s: String, inFlow: Bool) -> Bool {
        guard !s.isEmpty, PlainScalarResolver.resolve(s) == .string else { return false }
        let u = Array(s.unicodeScalars)
        if u.first == " " || u.last == " " { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(u[0]) { return false }
        if s.hasPrefix("---") || s.hasPrefix("...") { return false }
        for (i, c) in u.enumerated() {
            guard isSingleQuotable(c) else { return false }
            let next: Unicode.Scalar? = i + 1 < u.count ? u[i + 1] : nil
            if c == ":" && (next == nil || next == " " || (inFlow && ",[]{}".unicodeScalars.contains(next!))) { return false }
            if c == "#" && u[i - 1] == " " { return false }
            if inFlow && ",[]{}?".unicodeScalars.contains(c) { return false }
        }
        return true
    }
}

extension String {
    /// Every occurrence of the scalar `target` replaced (by scalar, so a combining mark after a quote
    /// cannot hide the quote inside one `Character`).
    fileprivate func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        var out = String.UnicodeScalarView()
        for c in unicodeScalars {
            if c == target { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(c) }
        }
        return String(out)
    }
}
