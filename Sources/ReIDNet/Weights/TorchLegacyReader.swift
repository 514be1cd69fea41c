/// Reads PyTorch's legacy checkpoint format. (Being written: see the branch's next commits.)
enum TorchLegacyReader {
    static func read(_ bytes: [UInt8], path: String?) throws -> StateDict {
        throw WeightsError(.malformed(detail: "legacy PyTorch checkpoints are not read yet in this build"))
    }
}
