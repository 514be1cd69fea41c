/// A MOTChallenge file that cannot be read, naming the file, the line and what to do.
public struct MOTFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path (or a label for text not read from a file).
    public var path: String
    /// 1-based line number; 0 for the whole file.
    public var line: Int
    /// What is wrong and what to do.
    public var message: String

    /// Makes an error.
    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `path:line: message`, as the user reads it.
    public var description: String {
        line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)"
    }
}
