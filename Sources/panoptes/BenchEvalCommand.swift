import ArgumentParser

/// `panoptes bench eval`: Time and peak memory of a Market-1501-sized evaluation.
struct BenchEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Time and peak memory of a Market-1501-sized evaluation.")

    func run() throws {
        throw NotBuiltYet(command: "bench eval")
    }
}
