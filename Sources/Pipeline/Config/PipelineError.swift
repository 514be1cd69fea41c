/// Why a pipeline file cannot run: every problem found, each `file:line:column: what — what to do`.
public struct PipelineError: Error, Sendable, CustomStringConvertible, Equatable {
    /// One problem.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The pipeline file.
        public var file: String
        /// 1-based line and column of the key or value at fault (0 when the problem is the whole file).
        public var line: Int
        /// 1-based column.
        public var column: Int
        /// What is wrong and what to do.
        public var message: String

        /// `file:line:column: message`.
        public var description: String {
            line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
        }
    }

    /// The problems, in file order.
    public var problems: [Problem]

    /// One line per problem.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
