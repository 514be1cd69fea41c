import ArgumentParser
import ReIDNet

// The network choices as command-line values (`--model pfsa-resnet50`, `--pooling normalized`), declared
// once for every subcommand that takes them (embed, bench embed, eval).
extension Architecture: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}

/// `HEIGHTxWIDTH` as `--input` (embed, eval) and `--inputs` (bench embed) take it, e.g. `256x128`: both
/// positive integers, or nil.
func parseInputSize(_ text: String) -> (height: Int, width: Int)? {
    let parts = text.lowercased().split(separator: "x")
    guard parts.count == 2, let h = Int(parts[0]), let w = Int(parts[1]), h > 0, w > 0 else { return nil }
    return (h, w)
}
