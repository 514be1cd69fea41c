import ArgumentParser

/// `panoptes synth`: Render a synthetic multi-camera scene with ground truth.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth", abstract: "Render a synthetic multi-camera scene with ground truth.")

    func run() throws {
        throw NotBuiltYet(command: "synth")
    }
}
