import Foundation
import TestSupport
import YAMLLite

/// Seeded random YAML-lite documents in varied hand-written styles (indent widths, same-indent and
/// compact sequences, flow lists, comments, blank lines, every scalar spelling), each with the value
/// it means; and random trees of awkward strings for the encoder.
struct RandomDocument {
    private var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    // MARK: - Documents with their meaning

    /// A random document text and the value it must parse to.
    mutating func document() -> (text: String, value: YAMLValue) {
        let indent = chance(0.1) ? int(1...3) : 0
        let (lines, value) = chance(0.8) ? mapping(depth: 0, indent: indent) : sequence(depth: 0, indent: indent)
        let ending = chance(0.1) ? "\r\n" : "\n"
        var text = (chance(0.2) ? ["# generated"] : []) + lines
        if chance(0.2) { text.append("# end") }
        return (text.joined(separator: ending) + (chance(0.8) ? ending : ""), value)
    }

    private mutating func mapping(depth: Int, indent: Int) -> ([String], YAMLValue) {
        var lines: [String] = []
        var entries: [YAMLValue.Entry] = []
        let pad = String(repeating: " ", count: indent)
        for n in 0..<int(1...5) {
            if n > 0 { lines += fillerLines() }
            var (keyText, key) = self.key()
            if entries.contains(where: { $0.key == key }) {
                key += "\(n)"
                keyText = "'\(key.replacingOccurrences(of: "'", with: "''"))'"
            }
            let head = pad + keyText + (chance(0.05) ? " :" : ":")
            let value: YAMLValue
            switch depth < 3 ? int(0...9) : int(0...5) {
            case 0...4:
                let (text, v) = scalar(inFlow: false)
                lines.append(text.isEmpty ? head + comment() : head + " " + text + comment())
                value = v
            case 5:
                let (text, v) = flowSequence()
                lines.append(head + " " + text + comment())
                value = v
            case 6, 7:
                lines.append(head + comment())
                let (nested, v) = mapping(depth: depth + 1, indent: indent + int(1...4))
                lines += nested
                value = v
            default:
                lines.append(head + comment())
                let (nested, v) = sequence(depth: depth + 1, indent: indent + pick([0, 0, 1, 2, 4]))
                lines += nested
                value = v
            }
            entries.append(.init(key: key, value: value))
        }
        return (lines, .mapping(entries))
    }

    private mutating func sequence(depth: Int, indent: Int) -> ([String], YAMLValue) {
        var lines: [String] = []
        var items: [YAMLValue] = []
        let pad = String(repeating: " ", count: indent)
        for n in 0..<int(1...4) {
            if n > 0 { lines += fillerLines() }
            switch depth < 3 ? int(0...9) : int(0...5) {
            case 0...4:
                let (text, v) = scalar(inFlow: false)
                lines.append(text.isEmpty ? pad + "-" + comment() : pad + "- " + text + comment())
                items.append(v)
            case 5:
                let (text, v) = flowSequence()
                lines.append(pad + "- " + text + comment())
                items.append(v)
            case 6, 7:
                // Compact: the nested block starts on the dash's line.
                let column = indent + 2 + int(0...2)
                let (nested, v) = chance(0.7) ? mapping(depth: depth + 1, indent: column) : sequence(depth: depth + 1, indent: column)
                var first = nested
                first[0] = pad + "-" + String(repeating: " ", count: column - indent - 1) + nested[0].dropFirst(column)
                lines += first
                items.append(v)
            default:
                lines.append(pad + "-" + comment())
                let (nested, v) = chance(0.6)
                    ? mapping(depth: depth + 1, indent: indent + int(1...3))
                    : sequence(depth: depth + 1, indent: indent + int(1...3))
                lines += nested
                items.append(v)
            }
        }
        return (lines, .sequence(items))
    }

    private mutating func flowSequence() -> (String, YAMLValue) {
        var parts: [String] = []
        var items: [YAMLValue] = []
        for _ in 0..<int(0...4) {
            var (text, v) = scalar(inFlow: true)
            if text.isEmpty { (text, v) = ("~", .null) }
            parts.append(text)
            items.append(v)
        }
        let comma = pick([", ", ",", " , "])
        let inner = parts.joined(separator: comma) + (!parts.isEmpty && chance(0.1) ? "," : "")
        return (chance(0.3) ? "[ " + inner + " ]" : "[" + inner + "]", .sequence(items))
    }

    private mutating func fillerLines() -> [String] {
        var lines: [String] = []
        if chance(0.1) { lines.append("") }
        if chance(0.1) { lines.append(String(repeating: " ", count: int(0...6)) + "# note: " + pick(["x", "a: b", "- y", "'q'"])) }
        return lines
    }

    private mutating func comment() -> String {
        chance(0.15) ? String(repeating: " ", count: int(1...3)) + "# " + pick(["why", "a: b", "#", "[x]", "é"]) : ""
    }

    private mutating func key() -> (String, String) {
        let plain = ["name", "batch_size", "url", "id", "key with spaces", "a-b", "x.y", "名前", "-a", "k:v", "fps", "cam 1", "a#b"]
        let quoted = ["yes", "1", "~", "a: b", "# x", "", " lead", "null", "0x10", "[x]"]
        if chance(0.7) {
            let k = pick(plain)
            return (chance(0.2) ? "\"\(k)\"" : k, k)
        }
        let k = pick(quoted)
        return (chance(0.5) ? "'\(k)'" : "\"\(k)\"", k)
    }

    /// A scalar spelling and what YAML 1.1 reads it as ("" is the empty value, block context only).
    private mutating func scalar(inFlow: Bool) -> (String, YAMLValue) {
        switch int(0...9) {
        case 0:
            return pick(inFlow ? [("~", .null), ("null", .null), ("NULL", .null)] : [("", .null), ("~", .null), ("Null", .null)])
        case 1:
            let forms: [(String, Bool)] = [("yes", true), ("Yes", true), ("YES", true), ("no", false), ("No", false), ("NO", false),
                                           ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false),
                                           ("FALSE", false), ("on", true), ("On", true), ("ON", true), ("off", false), ("Off", false), ("OFF", false)]
            let (text, b) = pick(forms)
            return (text, .bool(b))
        case 2:
            return integer()
        case 3:
            return double()
        case 4, 5:
            var words = ["cam1", "vtest.avi", "rtsp://h:554/s", "a b c", "x#y", "-a", "über", "😀", "C:\\x", "a:b",
                         "100%", "v1.2.3", "1e3", "0o17", "09", "+.5", ".", "-.nan", "12:60", "a - b", "y", "n", "=x"]
            if !inFlow { words += ["x,y", "x]", "x[", "a{b}", "?a", ":a", "a?"] }
            let w = pick(words)
            return (w, .string(w))
        case 6, 7:
            let s = randomString()
            if !s.contains(where: { $0 == "\n" || $0 == "\t" }) && chance(0.5) {
                return ("'" + s.replacingOccurrences(of: "'", with: "''") + "'", .string(s))
            }
            return (doubleQuoted(s), .string(s))
        default:
            let w = pick(["cameras", "out/events.jsonl", "mobilenetv2", "skip", "pts", "idf1"])
            return (w, .string(w))
        }
    }

    private mutating func integer() -> (String, YAMLValue) {
        let n = pick([0, 1, 7, 8, 42, 255, 1000, 65535, 123456789, Int(Int32.max), Int.max]) * (chance(0.3) ? -1 : 1)
        let sign = n < 0 ? "-" : (chance(0.1) ? "+" : "")
        let m = n.magnitude
        switch int(0...4) {
        case 0 where m > 0: return (sign + "0x" + String(m, radix: 16, uppercase: chance(0.5)), .int(n))
        case 1 where m > 0: return (sign + "0b" + String(m, radix: 2), .int(n))
        case 2 where m > 0: return (sign + "0" + String(m, radix: 8), .int(n))
        case 3 where m > 999:
            var digits = Array(String(m))
            digits.insert("_", at: digits.count - 3)
            return (sign + String(digits), .int(n))
        default: return (sign + String(m), .int(n))
        }
    }

    private mutating func double() -> (String, YAMLValue) {
        switch int(0...9) {
        case 0: return pick([(".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)), ("+.INF", .double(.infinity)),
                             (".nan", .double(.nan)), (".NaN", .double(.nan))])
        case 1: return pick([(".5", .double(0.5)), ("5.", .double(5)), ("-0.0", .double(-0.0)), ("1_000.25", .double(1000.25)), ("0.", .double(0))])
        default:
            let d = Double(Int64.random(in: -1_000_000...1_000_000, using: &rng)) / pick([1, 10, 1000, 1e6, 1e-3])
            let text = "\(d)"  // Swift's shortest round-trip spelling
            if text.contains("e") {
                // 1e-05 is a string to YAML 1.1: add the point and the exponent's sign.
                let parts = text.split(separator: "e")
                let mantissa = parts[0].contains(".") ? String(parts[0]) : parts[0] + ".0"
                let exponent = parts[1].hasPrefix("-") ? String(parts[1]) : "+" + parts[1]
                return (mantissa + pick(["e", "E"]) + exponent, .double(d))
            }
            return (text, .double(d))
        }
    }

    private mutating func randomString() -> String {
        let alphabet: [String] = ["a", "b", "Z", " ", "'", "\"", "\\", "#", ":", "-", ",", "[", "]", "{", "}", "é", "😀", "\t", "\n", "%", "&", "*", "!", "|", ">", "?", "0", "1", "."]
        return (0..<int(0...8)).map { _ in pick(alphabet) }.joined()
    }

    private mutating func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += chance(0.5) ? "\\t" : "\t"
            case "é": out += chance(0.5) ? "\\u00e9" : (chance(0.5) ? "\\xe9" : "é")
            case "😀": out += chance(0.5) ? "\\U0001F600" : "😀"
            case "/": out += "\\/"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    // MARK: - Trees of awkward strings (for the encoder)

    /// A random tree whose strings are the ones most likely to be written wrongly.
    mutating func tree(depth: Int = 0) -> YAMLValue {
        switch depth == 0 ? int(6...9) : depth < 3 ? int(0...9) : int(0...5) {
        case 0: return .null
        case 1: return .bool(chance(0.5))
        case 2: return integer().1
        case 3: return .double(pick([0.1, -0.5, 1e-5, 1e20, .leastNonzeroMagnitude, 100, .infinity, -.infinity, .nan, -0.0, 1.0 / 3]))
        case 4, 5:
            let awkward = ["yes", "No", "1.0", "", "a: b", "# x", " lead", "trail ", "-", "- x", "[x]", "{}", "'", "\"", "\\",
                           "\t", "a\nb", "\u{85}", "\u{7}", "é", "😀", "~", "null", "0x1F", "1:30", "2001-12-14", "<<", "=",
                           "---", "...", "%x", "@x", "`x", "!x", "&x", "*x", "|", ">", "?", "? x", "a #b", "a#b", ": x", "x:",
                           "0o17", "1e3", "+.5", ".inf", "a,b", "x]", "e\u{301}'", "\u{FEFF}x", "\u{2028}", "plain words"]
            return .string(chance(0.8) ? pick(awkward) : randomString())
        case 6, 7:
            var entries: [YAMLValue.Entry] = []
            for _ in 0..<int(depth == 0 ? 1...6 : 0...4) {
                let k = chance(0.5) ? pick(["a", "name", "yes", "1", "", "a: b", "# k", " k", "k ", "[k]", "é"]) : randomString()
                if !entries.contains(where: { $0.key == k }) { entries.append(.init(key: k, value: tree(depth: depth + 1))) }
            }
            return .mapping(entries)
        default:
            return .sequence((0..<int(0...4)).map { _ in tree(depth: depth + 1) })
        }
    }

    // MARK: - Draws

    private mutating func chance(_ p: Double) -> Bool { rng.unit() < p }
    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
}
