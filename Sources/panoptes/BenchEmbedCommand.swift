import ArgumentParser

/// `panoptes bench embed`: Images per second embedding, next to ONNX Runtime.
struct BenchEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Images per second embedding, next to ONNX Runtime.")

    func run() throws {
        throw NotBuiltYet(command: "bench embed")
    }
}
