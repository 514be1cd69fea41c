import ArgumentParser

/// `panoptes bench track`: Tracking quality and update time, next to deep-sort-realtime.
struct BenchTrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "track", abstract: "Tracking quality and update time, next to deep-sort-realtime.")

    func run() throws {
        throw NotBuiltYet(command: "bench track")
    }
}
