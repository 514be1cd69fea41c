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

    @Argument(help: "The weights file (.pt, .pth, .pth.tar, .safetensors).")
    var file: String
}

extension InspectCommand {
    func run() throws {
        let stateDict = try WeightsLoader.load(URL(fileURLWithPath: file))
        print("file: \(file)")
        for line in WeightsInspection(stateDict).lines { print(line) }
    }
}
