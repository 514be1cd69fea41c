/// Raised by a subcommand whose capability has not landed yet: says so instead of printing made-up output.
struct NotBuiltYet: Error, CustomStringConvertible {
    let command: String
    var description: String { "`panoptes \(command)` is not built yet in this version of Panoptes." }
}
