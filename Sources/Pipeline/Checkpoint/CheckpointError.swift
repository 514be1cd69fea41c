/// A checkpoint that cannot be written, read or resumed from, in words that say what to do.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
