/// Why a synthetic scene could not be made: a bad setting (what to change) or a failed write (which file).
public struct SynthError: Error, CustomStringConvertible, Equatable, Sendable {
    private enum Code: Equatable, Sendable {
        case invalidSetting(name: String, value: String, expected: String)
        case writeFailed(path: String, reason: String)
        case encodeFailed(path: String, reason: String)
        case readFailed(path: String, reason: String)
    }

    private let code: Code

    /// A setting is out of its range: names the option, the value given and what is accepted.
    public static func invalidSetting(_ name: String, _ value: String, expected: String) -> SynthError {
        SynthError(code: .invalidSetting(name: name, value: value, expected: expected))
    }

    /// A file of the scene could not be written.
    public static func writeFailed(_ path: String, reason: String) -> SynthError {
        SynthError(code: .writeFailed(path: path, reason: reason))
    }

    /// A camera's video could not be encoded.
    public static func encodeFailed(_ path: String, reason: String) -> SynthError {
        SynthError(code: .encodeFailed(path: path, reason: reason))
    }

    /// A file of a scene could not be read or understood.
    public static func readFailed(_ path: String, reason: String) -> SynthError {
        SynthError(code: .readFailed(path: path, reason: reason))
    }

    /// True when the error is a bad setting (a usage error, exit code 2) rather than a failed write.
    public var isInvalidSetting: Bool {
        if case .invalidSetting = code { return true }
        return false
    }

    /// What the user reads.
    public var description: String {
        switch code {
        case .invalidSetting(let name, let value, let expected):
            return "invalid \(name) '\(value)': expected \(expected)."
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason). Check that the folder exists and is writable."
        case .encodeFailed(let path, let reason):
            return "cannot encode \(path): \(reason)."
        case .readFailed(let path, let reason):
            return "cannot read \(path): \(reason)."
        }
    }
}
