import ArgumentParser

/// `panoptes probe`: Print a video's streams, or one MD5 per decoded RGB24 frame.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "Print a video's streams, or one MD5 per decoded RGB24 frame.")

    func run() throws {
        throw NotBuiltYet(command: "probe")
    }
}
