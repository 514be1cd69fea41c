import ArgumentParser
import ReIDNet

// The network choices as command-line values (`--model pfsa-resnet50`, `--pooling normalized`), declared
// once for every subcommand that takes them (embed, bench embed, eval).
extension Architecture: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}
