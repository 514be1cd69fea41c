import Foundation

/// Reads PyTorch's zip checkpoint format. (Being written: see the branch's next commits.)
enum TorchZipReader {
    static func read(_ url: URL, path: String?) throws -> StateDict {
        throw WeightsError(.malformed(detail: "zip PyTorch checkpoints are not read yet in this build"))
    }
}
