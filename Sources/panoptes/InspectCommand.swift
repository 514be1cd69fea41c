import ArgumentParser

/// `panoptes inspect`: Print what a weights file holds and which model it fits.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print what a weights file holds and which model it fits.")

    func run() throws {
        throw NotBuiltYet(command: "inspect")
    }
}
