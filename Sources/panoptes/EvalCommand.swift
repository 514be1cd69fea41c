import ArgumentParser

/// `panoptes eval`: Evaluate a model on a Market-1501-layout data set (CMC, mAP).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate a model on a Market-1501-layout data set (CMC, mAP).")

    func run() throws {
        throw NotBuiltYet(command: "eval")
    }
}
