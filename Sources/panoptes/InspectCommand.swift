import ArgumentParser
import Foundation
import ReIDNet

/// `panoptes inspect`: Print what a weights file holds and which model it fits.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Print what a weights file holds and which model it fits.",
        discussion: """
            Reads safetensors, PyTorch zip checkpoints (>= 1.6) and legacy PyTorch checkpoints (<= 1.5) \
            without running anything in them, and prints the format, every tensor (name, dtype, shape), \
            a summary, and for each model whether the file fits it.
            """)

    /// One check per model the engine can build, printed as a `fits:` line.
    static let modelChecks: [@Sendable (StateDict) -> WeightsFit] = Architecture.allCases.map { model in
        { model.fit($0) }
    }

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
