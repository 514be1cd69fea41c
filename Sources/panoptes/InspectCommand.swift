import ArgumentParser
import Foundation
import ReIDNet

/// `panoptes inspect`: Print what a weights file holds and which model it fits.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Print what a weights file holds and which model it fits.",
        discussion: """
            Reads safetensors, PyTorch zip checkpoints (>= 1.6) and legacy PyTorch checkpoints (<= 1.5) \
            without running anything in them, and prints the format, every tensor (name, dtype, shape) \
            and a summary.
            """)

    /// One check per model: `{ $0.fit(Model.expectedTensors, model: "name") }`, printed as a `fits:` line.
    /// Empty until the models' tensor lists are wired here; then nothing else changes.
    static let modelChecks: [@Sendable (StateDict) -> WeightsFit] = []

    @Argument(help: "The weights file (.pt, .pth, .pth.tar, .safetensors).")
    var file: String
}

extension InspectCommand {
    func run() throws {
        let stateDict = try WeightsLoader.load(URL(fileURLWithPath: file))
        print("file: \(file)")
        for line in WeightsInspection(stateDict).lines { print(line) }
        for check in Self.modelChecks { print("fits: \(check(stateDict))") }
    }
}
