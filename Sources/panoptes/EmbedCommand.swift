import ArgumentParser

/// `panoptes embed`: Embed person images with a re-identification network.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Embed person images with a re-identification network.")

    func run() throws {
        throw NotBuiltYet(command: "embed")
    }
}
