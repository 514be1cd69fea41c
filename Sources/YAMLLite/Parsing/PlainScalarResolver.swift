import Foundation

/// Types a plain (unquoted) scalar exactly as PyYAML's YAML 1.1 implicit resolver does
/// (`yaml/resolver.py` and `SafeConstructor` in PyYAML 6), or refuses it when PyYAML would produce
/// something YAML-lite cannot represent the same way.
///
/// The regular expressions are matched by hand, each one cited above its matcher; the test suite
/// checks thousands of generated scalars against PyYAML itself.
enum PlainScalarResolver {
    /// The outcome of resolving one plain scalar.
    enum Resolution: Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string
        /// PyYAML would read it as something else (or fail); `what` says what, `hint` what to write.
        case refused(what: String, hint: String)
    }

    /// Resolves `text` (a plain scalar, already trimmed) the way PyYAML's `safe_load` would.
    static func resolve(_ text: String) -> Resolution {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        case "<<":
            return .refused(what: "`<<` is YAML's merge key", hint: "quote it: '<<'")
        case "=":
            return .refused(what: "`=` is YAML's value key, which PyYAML cannot load", hint: "quote it: '='")
        default: break
        }
        let s = Array(text.utf8)
        // Everything below is ASCII-only; a non-ASCII byte makes it a string.
        guard s.allSatisfy({ $0 < 0x80 }) else { return .string }
        if isFloat(s) { return makeDouble(text) }
        if isSexagesimalFloat(s) {
            return .refused(
                what: "`\(text)` is a base-60 number in YAML 1.1 (PyYAML reads it as \(sexagesimal(text)))",
                hint: "quote it if you mean text, or write the decimal number")
        }
        if isInt(s) { return makeInt(text) }
        if isSexagesimalInt(s) {
            return .refused(
                what: "`\(text)` is a base-60 number in YAML 1.1 (PyYAML reads it as \(sexagesimal(text)))",
                hint: "quote it if you mean text, e.g. '\(text)', or write the decimal number")
        }
        if isTimestamp(s) {
            return .refused(
                what: "`\(text)` is a timestamp in YAML 1.1 (PyYAML reads it as a date)",
                hint: "quote it: '\(text)'")
        }
        return .string
    }

    // MARK: - Matchers

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isDigitOrUnderscore(_ c: UInt8) -> Bool { isDigit(c) || c == 0x5F }

    /// Index just past an optional `[-+]`.
    private static func skipSign(_ s: [UInt8], _ i: Int) -> Int {
        i < s.count && (s[i] == 0x2B || s[i] == 0x2D) ? i + 1 : i
    }

    /// Index just past a run of bytes satisfying `p` (possibly empty).
    private static func skip(_ s: [UInt8], _ i: Int, while p: (UInt8) -> Bool) -> Int {
        var j = i
        while j < s.count && p(s[j]) { j += 1 }
        return j
    }

    /// `(?:[eE][-+][0-9]+)?` followed by the end; true when the rest from `i` matches.
    private static func optionalExponentThenEnd(_ s: [UInt8], _ i: Int) -> Bool {
        if i == s.count { return true }
        guard s[i] == 0x65 || s[i] == 0x45, i + 1 < s.count, s[i + 1] == 0x2B || s[i + 1] == 0x2D else { return false }
        let j = skip(s, i + 2, while: isDigit)
        return j > i + 2 && j == s.count
    }

    /// `(?::[0-5]?[0-9])+` from `i`; returns the index after it, or nil when no group matches.
    private static func sexagesimalGroups(_ s: [UInt8], _ i: Int) -> Int? {
        var j = i
        var groups = 0
        while j < s.count && s[j] == 0x3A {
            let end = skip(s, j + 1, while: isDigit)
            let n = end - (j + 1)
            guard n == 1 || (n == 2 && s[j + 1] <= 0x35) else { return nil }
            j = end
            groups += 1
        }
        return groups > 0 ? j : nil
    }

    /// Float alternatives 1, 2, 4, 5:
    /// `[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?` | `\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?`
    /// | `[-+]?\.(?:inf|Inf|INF)` | `\.(?:nan|NaN|NAN)`.
    private static func isFloat(_ s: [UInt8]) -> Bool {
        let text = String(decoding: s, as: UTF8.self)
        if [".nan", ".NaN", ".NAN"].contains(text) { return true }
        let signed = skipSign(s, 0)
        if [".inf", ".Inf", ".INF"].contains(String(decoding: s[signed...], as: UTF8.self)) { return true }
        // Alternative 1.
        if signed < s.count && isDigit(s[signed]) {
            let afterDigits = skip(s, signed + 1, while: isDigitOrUnderscore)
            if afterDigits < s.count && s[afterDigits] == 0x2E {
                let afterFraction = skip(s, afterDigits + 1, while: isDigitOrUnderscore)
                if optionalExponentThenEnd(s, afterFraction) { return true }
            }
        }
        // Alternative 2 (no sign).
        if s.count >= 2 && s[0] == 0x2E && isDigit(s[1]) {
            let afterFraction = skip(s, 2, while: isDigitOrUnderscore)
            if optionalExponentThenEnd(s, afterFraction) { return true }
        }
        return false
    }

    /// Float alternative 3: `[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*`.
    private static func isSexagesimalFloat(_ s: [UInt8]) -> Bool {
        let signed = skipSign(s, 0)
        guard signed < s.count, isDigit(s[signed]) else { return false }
        let afterDigits = skip(s, signed + 1, while: isDigitOrUnderscore)
        guard let afterGroups = sexagesimalGroups(s, afterDigits),
              afterGroups < s.count, s[afterGroups] == 0x2E else { return false }
        return skip(s, afterGroups + 1, while: isDigitOrUnderscore) == s.count
    }

    /// Int alternatives 1-4: `[-+]?0b[0-1_]+` | `[-+]?0[0-7_]+` | `[-+]?(?:0|[1-9][0-9_]*)`
    /// | `[-+]?0x[0-9a-fA-F_]+`.
    private static func isInt(_ s: [UInt8]) -> Bool {
        let i = skipSign(s, 0)
        guard i < s.count, isDigit(s[i]) else { return false }
        if s[i] == 0x30 {
            if i + 1 == s.count { return true }
            let next = s[i + 1]
            if next == 0x62 {
                let end = skip(s, i + 2, while: { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F })
                return end > i + 2 && end == s.count
            }
            if next == 0x78 {
                let end = skip(s, i + 2, while: { isDigitOrUnderscore($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) })
                return end > i + 2 && end == s.count
            }
            return skip(s, i + 1, while: { (0x30...0x37).contains($0) || $0 == 0x5F }) == s.count
        }
        return skip(s, i + 1, while: isDigitOrUnderscore) == s.count
    }

    /// Int alternative 5: `[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`.
    private static func isSexagesimalInt(_ s: [UInt8]) -> Bool {
        let i = skipSign(s, 0)
        guard i < s.count, s[i] >= 0x31 && s[i] <= 0x39 else { return false }
        let afterDigits = skip(s, i + 1, while: isDigitOrUnderscore)
        return sexagesimalGroups(s, afterDigits) == s.count
    }

    /// The timestamp resolver: `[0-9]{4}-[0-9]{2}-[0-9]{2}` | `[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}
    /// (?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?`.
    private static func isTimestamp(_ s: [UInt8]) -> Bool {
        func digits(_ i: Int, _ range: ClosedRange<Int>) -> Int? {
            let end = skip(s, i, while: isDigit)
            return range.contains(end - i) ? end : nil
        }
        func byte(_ i: Int, _ c: UInt8) -> Bool { i < s.count && s[i] == c }
        guard let year = digits(0, 4...4), byte(year, 0x2D),
              let month = digits(year + 1, 1...2), byte(month, 0x2D),
              let day = digits(month + 1, 1...2) else { return false }
        if day == s.count && month == year + 3 && day == month + 3 { return true }
        var i = day
        if byte(i, 0x54) || byte(i, 0x74) {
            i += 1
        } else {
            let end = skip(s, i, while: { $0 == 0x20 || $0 == 0x09 })
            guard end > i else { return false }
            i = end
        }
        guard let hour = digits(i, 1...2), byte(hour, 0x3A),
              let minute = digits(hour + 1, 2...2), byte(minute, 0x3A),
              let second = digits(minute + 1, 2...2) else { return false }
        i = second
        if byte(i, 0x2E) { i = skip(s, i + 1, while: isDigit) }
        if i == s.count { return true }
        i = skip(s, i, while: { $0 == 0x20 || $0 == 0x09 })
        if byte(i, 0x5A) { return i + 1 == s.count }
        guard byte(i, 0x2B) || byte(i, 0x2D), let tzHour = digits(i + 1, 1...2) else { return false }
        if tzHour == s.count { return true }
        guard byte(tzHour, 0x3A), let tzMinute = digits(tzHour + 1, 2...2) else { return false }
        return tzMinute == s.count
    }

    // MARK: - Constructors (SafeConstructor.construct_yaml_int / _float)

    private static func makeInt(_ text: String) -> Resolution {
        var value = text.replacingOccurrences(of: "_", with: "")
        let negative = value.hasPrefix("-")
        if value.hasPrefix("-") || value.hasPrefix("+") { value.removeFirst() }
        let magnitude: UInt64?
        if value == "0" {
            magnitude = 0
        } else if value.hasPrefix("0b") {
            magnitude = UInt64(value.dropFirst(2), radix: 2)
        } else if value.hasPrefix("0x") {
            magnitude = UInt64(value.dropFirst(2), radix: 16)
        } else if value.hasPrefix("0") {
            magnitude = UInt64(value, radix: 8)
        } else {
            magnitude = UInt64(value, radix: 10)
        }
        if let magnitude {
            if !negative, magnitude <= UInt64(Int.max) { return .int(Int(magnitude)) }
            if negative, magnitude <= UInt64(Int.max) + 1 { return .int(magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)) }
        }
        // Digits only after the prefix (`0b_`, `0x_`) make PyYAML fail; anything else here is too large.
        let digits = value.dropFirst(value.hasPrefix("0b") || value.hasPrefix("0x") ? 2 : 0)
        if digits.isEmpty {
            return .refused(what: "`\(text)` has no digits after its prefix, which PyYAML cannot load",
                            hint: "quote it if you mean text: '\(text)'")
        }
        return .refused(what: "`\(text)` does not fit in a 64-bit integer",
                        hint: "quote it if you mean text: '\(text)'")
    }

    private static func makeDouble(_ text: String) -> Resolution {
        var value = text.replacingOccurrences(of: "_", with: "").lowercased()
        let negative = value.hasPrefix("-")
        if value.hasPrefix("-") || value.hasPrefix("+") { value.removeFirst() }
        let sign: Double = negative ? -1 : 1
        if value == ".inf" { return .double(sign * .infinity) }
        if value == ".nan" { return .double(.nan) }
        // Python's float() accepts "1.", ".5" and "1.e+3"; spell them so every strtod does too.
        if value.hasPrefix(".") { value = "0" + value }
        value = value.replacingOccurrences(of: ".e", with: ".0e")
        if value.hasSuffix(".") { value += "0" }
        guard let magnitude = Double(value) else {
            return .refused(what: "`\(text)` is not a number this reader can convert",
                            hint: "quote it if you mean text: '\(text)'")
        }
        return .double(sign * magnitude)
    }

    /// PyYAML's value of a base-60 scalar, for the message that refuses it.
    private static func sexagesimal(_ text: String) -> String {
        var value = text.replacingOccurrences(of: "_", with: "")
        let negative = value.hasPrefix("-")
        if value.hasPrefix("-") || value.hasPrefix("+") { value.removeFirst() }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) ?? 0 }
        let total = parts.reduce(0.0) { $0 * 60 + $1 }
        let signed = negative ? -total : total
        return value.contains(".") ? "\(signed)" : "\(Int(signed))"
    }
}
