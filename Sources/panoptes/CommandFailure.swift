import ReIDNet

/// A failure a subcommand reports in its own words, with the class that decides its exit status.
///
/// DESIGN.md's exit statuses, one rule for every subcommand: 1 when running failed (a file missing,
/// unreadable, corrupt or not writable, a stream that fails), 2 when the command as typed or its
/// configuration cannot be used (the parser's errors, an option value the model cannot take).
struct CommandFailure: Error, CustomStringConvertible {
    /// Which of the two it is.
    enum Kind {
        /// Exit 1.
        case runtime
        /// Exit 2.
        case usage
    }

    /// What the user reads after `error: `.
    let description: String
    /// Its class.
    let kind: Kind

    /// A failure saying `description`; runtime unless told.
    init(_ description: String, _ kind: Kind = .runtime) {
        self.description = description
        self.kind = kind
    }

    /// The exit status for an error a subcommand threw (the parser's own errors are mapped before):
    /// 2 for usage failures and for an input size the network cannot take (`--input`), else 1.
    static func exitStatus(for error: any Error) -> Int32 {
        switch error {
        case let failure as CommandFailure: return failure.kind == .usage ? 2 : 1
        case let error as ModelError:
            if case .badInputSize = error.kind { return 2 }
            return 1
        default: return 1
        }
    }
}
