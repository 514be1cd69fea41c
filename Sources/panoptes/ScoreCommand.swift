import ArgumentParser

/// `panoptes score`: Score tracks against ground truth (MOTA, MOTP, IDF1 ...).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score", abstract: "Score tracks against ground truth (MOTA, MOTP, IDF1 ...).")

    func run() throws {
        throw NotBuiltYet(command: "score")
    }
}
